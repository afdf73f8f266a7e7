import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { deadline, PollingLoop } from '@tally/platform';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../config/gateway.config';
import { OutboxPublisher } from './outbox-publisher';
import { OutboxRepository } from './outbox.repository';

/** A relay takes at most this many buckets per cycle, so that other relays find work too. */
const MAX_BUCKETS_PER_CYCLE = 4;
/** A cycle holds its transaction (and bucket locks) while it publishes; a dead broker must not hold them long. */
const PUBLISH_TIMEOUT_MS = 5000;

/**
 * Publishes committed outbox rows to Kafka, at least once, in order per key, and marks them sent.
 *
 * Each cycle is one transaction: take advisory locks on a few key buckets that have unpublished rows,
 * read their oldest rows, publish them, mark them. The locks are the ownership: another relay
 * (another replica) skips those buckets until the cycle commits, so one user's events never go out
 * through two relays at once. A crash before the commit leaves the rows unpublished for the next
 * cycle (Kafka may then see a row twice; the credit-store drops duplicates by event_id).
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop: PollingLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly publisher: OutboxPublisher,
    private readonly config: GatewayConfig,
  ) {
    this.loop = new PollingLoop(OutboxRelay.name, () => this.relayOnce(), {
      intervalMs: config.OUTBOX_POLL_INTERVAL_MS,
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.OUTBOX_RELAY_ENABLED) this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Called after a local commit, so new rows go out without waiting for the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /** One cycle; returns how many rows it published. Throws when publishing failed. */
  async relayOnce(): Promise<number> {
    let failure: Error | undefined;
    const published = await this.dataSource.transaction(async (db) => {
      const buckets = await this.outbox.lockPendingBuckets(db, MAX_BUCKETS_PER_CYCLE);
      if (buckets.length === 0) return 0;
      const rows = await this.outbox.findUnpublished(db, buckets, this.config.OUTBOX_BATCH_SIZE);
      const ids = rows.map((row) => row.id);
      try {
        // On a timeout the send may still land later: a duplicate, which the consumer absorbs.
        await Promise.race([
          this.publisher.publish(rows),
          deadline(PUBLISH_TIMEOUT_MS, 'Kafka acknowledgement'),
        ]);
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        await this.outbox.recordFailure(db, ids, failure.message);
        return 0;
      }
      await this.outbox.markPublished(db, ids);
      return rows.length;
    });
    if (failure) throw failure;
    return published;
  }
}
