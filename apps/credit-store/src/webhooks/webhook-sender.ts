import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostOf, ResolvedAddress, resolveHost } from './webhook-address';
import type { WebhookSettings } from './webhook-settings';

/** What one attempt came to: the receiver's status, or why there was none. */
export interface AttemptOutcome {
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

export interface OutgoingWebhook {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A lookup that answers the address already checked, whatever the resolver would say now. */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
    } else {
      callback(null, pinned.address, pinned.family);
    }
  };
}

/**
 * POSTs one delivery: resolves the host, refuses a private address (unless allowed), then
 * connects to that very address (DNS rebinding cannot swap it), all within the timeout. The
 * answer's body is read and dropped; `signal` abandons the attempt (shutdown).
 */
export async function sendWebhook(
  outgoing: OutgoingWebhook,
  settings: WebhookSettings,
  signal: AbortSignal,
): Promise<AttemptOutcome> {
  const started = Date.now();
  const outcome = (status_code: number | null, error: string | null): AttemptOutcome => ({
    status_code,
    error,
    duration_ms: Date.now() - started,
  });
  const url = new URL(outgoing.url);
  const schemes = settings.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) return outcome(null, `refused: ${url.protocol} not allowed`);
  const verdict = await resolveHost(hostOf(url), settings.allowedHosts);
  if (!verdict.ok) return outcome(null, `refused: ${verdict.reason}`);
  try {
    const status = await post(url, outgoing, verdict.address, settings.timeoutMs, signal);
    return outcome(status, null);
  } catch (error) {
    return outcome(null, error instanceof Error ? error.message : String(error));
  }
}

function post(
  url: URL,
  outgoing: OutgoingWebhook,
  pinned: ResolvedAddress,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: {
        ...outgoing.headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(outgoing.body)),
        'user-agent': 'tally-webhooks/1',
      },
      lookup: pinnedLookup(pinned),
      signal,
    });
    const timer = setTimeout(
      () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    request.once('response', (response) => {
      clearTimeout(timer);
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(outgoing.body);
  });
}
