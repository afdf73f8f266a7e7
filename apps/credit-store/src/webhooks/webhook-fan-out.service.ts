import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PollingLoop } from '@tally/platform';
import { DataSource } from 'typeorm';
import { CreditStoreConfig } from '../config/credit-store.config';
import { accountEventMessage } from '../outbox/account-event.relay';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';

const BATCH_SIZE = 200;

/**
 * Turns account events into webhook deliveries: a durable consumer of the outbox table
 * (`account_events`), not of the topic. Each batch is taken, fanned out and marked in one
 * transaction, rows held so replicas share the work; the (event, endpoint) key keeps it to one
 * delivery each, whatever runs twice. The ledger's transaction never waits on endpoints.
 */
@Injectable()
export class WebhookFanOutService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: PollingLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly worker: WebhookDeliveryWorker,
    config: CreditStoreConfig,
  ) {
    this.loop = new PollingLoop(WebhookFanOutService.name, () => this.fanOutOnce(), {
      intervalMs: config.WEBHOOK_POLL_MS,
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Answers how many events it fanned out. */
  async fanOutOnce(): Promise<number> {
    const { events, inserted } = await this.dataSource.transaction(async (db) => {
      const taken = await this.deliveries.takeUnfannedEvents(db, BATCH_SIZE);
      if (taken.length === 0) return { events: 0, inserted: 0 };
      const bodies = taken.map((row) => ({
        id: row.id,
        type: row.type,
        body: JSON.stringify(accountEventMessage(row)),
      }));
      const count = await this.deliveries.insertForEvents(db, bodies);
      await this.deliveries.markFannedOut(
        db,
        taken.map((row) => row.id),
      );
      return { events: taken.length, inserted: count };
    });
    if (inserted > 0) this.worker.wake();
    return events;
  }
}
