import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PollingLoop } from '@tally/platform';
import { DataSource } from 'typeorm';
import { CreditStoreConfig } from '../config/credit-store.config';
import { signingSecrets } from './webhook-endpoint';
import { nextAfter } from './webhook-delivery-next';
import { ClaimedDelivery, WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import { sendWebhook } from './webhook-sender';
import { signatureHeader } from './webhook-signature';
import { WebhookSettings, webhookSettingsOf } from './webhook-settings';

/** Past the timeout, how long a claimed delivery stays leased before another sender may take it. */
const LEASE_MARGIN_MS = 30_000;

/**
 * Sends due webhook deliveries from the database queue. A cycle only claims (a short
 * transaction) and starts the sends; each send records its attempt when it ends. Sends run
 * side by side, at most WEBHOOK_CONCURRENCY in all and WEBHOOK_ENDPOINT_CONCURRENCY per
 * endpoint, so an endpoint that hangs holds only its own slots, never the ledger, the bus or
 * another endpoint's deliveries.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryWorker.name);
  private readonly settings: WebhookSettings;
  private readonly loop: PollingLoop;
  private readonly inFlight = new Map<string, number>();
  private readonly sends = new Set<AbortController>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly endpoints: WebhookEndpointRepository,
    config: CreditStoreConfig,
  ) {
    this.settings = webhookSettingsOf(config);
    this.loop = new PollingLoop(WebhookDeliveryWorker.name, () => this.dispatchOnce(), {
      intervalMs: this.settings.pollMs,
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  /** Sends under way are abandoned: their lease runs out and they are sent again. */
  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
    for (const send of this.sends) send.abort();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Claims what the free slots allow and starts sending it; answers how many it started. */
  async dispatchOnce(): Promise<number> {
    const free = this.settings.concurrency - this.sends.size;
    if (free <= 0) return 0;
    const claimed = await this.dataSource.transaction((db) =>
      this.deliveries.claim(db, {
        limit: free,
        perEndpoint: this.settings.endpointConcurrency,
        inFlight: this.inFlight,
        leaseMs: this.settings.timeoutMs + LEASE_MARGIN_MS,
      }),
    );
    for (const delivery of claimed) void this.deliver(delivery);
    return claimed.length;
  }

  private async deliver(delivery: ClaimedDelivery): Promise<void> {
    const endpoint = delivery.endpoint_id;
    const abort = new AbortController();
    this.sends.add(abort);
    this.inFlight.set(endpoint, (this.inFlight.get(endpoint) ?? 0) + 1);
    try {
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = signatureHeader(
        signingSecrets(delivery),
        delivery.event_id,
        timestamp,
        delivery.body,
      );
      const headers = {
        'webhook-id': delivery.event_id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signature,
      };
      const outcome = await sendWebhook(
        { url: delivery.url, headers, body: delivery.body },
        this.settings,
        abort.signal,
      );
      if (abort.signal.aborted) return;
      const next = nextAfter(outcome, delivery.tries, this.settings.retryDelaysMs);
      await this.dataSource.transaction(async (db) => {
        await this.deliveries.recordAttempt(db, delivery.id, outcome, next);
        if (outcome.status_code === 410) {
          await this.endpoints.disable(db, endpoint, 'the receiver answered 410 Gone');
        }
      });
    } catch (error) {
      this.logger.warn(`delivery ${delivery.id} could not be recorded: ${String(error)}`);
    } finally {
      this.sends.delete(abort);
      const left = (this.inFlight.get(endpoint) ?? 1) - 1;
      if (left > 0) this.inFlight.set(endpoint, left);
      else this.inFlight.delete(endpoint);
      this.loop.wake();
    }
  }
}
