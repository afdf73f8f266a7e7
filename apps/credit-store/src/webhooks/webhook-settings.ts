import { CreditStoreConfig } from '../config/credit-store.config';

/** The webhook settings of the config, parsed once. */
export interface WebhookSettings {
  timeoutMs: number;
  /** Milliseconds before each retry: attempt n + 1 waits retryDelaysMs[n - 1]. */
  retryDelaysMs: number[];
  allowHttp: boolean;
  /** Hosts, lower case, that may be private addresses (WEBHOOK_ALLOWED_HOSTS). */
  allowedHosts: ReadonlySet<string>;
  concurrency: number;
  endpointConcurrency: number;
  pollMs: number;
}

export function webhookSettingsOf(config: CreditStoreConfig): WebhookSettings {
  return {
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    retryDelaysMs: parseRetrySchedule(config.WEBHOOK_RETRY_SCHEDULE),
    allowHttp: config.WEBHOOK_ALLOW_HTTP === 'true',
    allowedHosts: new Set(
      config.WEBHOOK_ALLOWED_HOSTS.split(',')
        .map((host) =>
          host
            .trim()
            .toLowerCase()
            .replace(/^\[(.*)\]$/, '$1'),
        )
        .filter(Boolean),
    ),
    concurrency: config.WEBHOOK_CONCURRENCY,
    endpointConcurrency: config.WEBHOOK_ENDPOINT_CONCURRENCY,
    pollMs: config.WEBHOOK_POLL_MS,
  };
}

/** `5,300,0.2` → [5000, 300000, 200] (milliseconds, rounded). */
export function parseRetrySchedule(text: string): number[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((seconds) => Math.round(Number(seconds) * 1000));
}
