import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import {
  deadline,
  inOneRoundTrip,
  LeanTransaction,
  pgPoolOf,
  PollingLoop,
  sendEach,
  type Statement,
} from '@tally/platform';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../config/gateway.config';
import { OutboxPublisher } from './outbox-publisher';
import { OutboxMetrics } from './outbox.metrics';
import { OutboxRepository, PendingOutboxRow } from './outbox.repository';

/** A send that outlived the publish timeout: it may still be acknowledged. */
interface LateSend {
  ids: string[];
  /** Whether Kafka acknowledged it in the end. */
  landed: Promise<boolean>;
}

/**
 * Publishes committed outbox rows to Kafka, at least once, in order per key, and marks them sent.
 *
 * Each cycle is one transaction: take advisory locks on a few key buckets that have unpublished rows,
 * read their oldest rows, publish them, mark them. The locks are the ownership: another relay
 * (another replica) skips those buckets until the cycle commits, so one user's events never go out
 * through two relays at once. A crash before the commit leaves the rows unpublished for the next
 * cycle (Kafka may then see a row twice; the credit-store drops duplicates by event_id).
 *
 * A send that times out is not forgotten: kafkajs keeps retrying it, so the replica's cycles send
 * nothing until it has settled, and mark its rows sent if it landed: re-sending at once would put
 * a second copy of every row on the topic during a broker outage.
 *
 * A row the broker can never take (too large, invalid) is parked with its reason, and the rows
 * behind it go on, its own user's later ones included: per-user order gives way there, since a
 * charge that can never be published must not hold back that user's other charges for ever.
 */
@Injectable()
export class OutboxRelay
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  /** Cycles of one replica run side by side on disjoint buckets: one publishes, another reads. */
  private readonly loops: PollingLoop[];
  private readonly lateSends = new Set<LateSend>();
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly pool: Pool;

  constructor(
    dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly publisher: OutboxPublisher,
    private readonly config: GatewayConfig,
    private readonly metrics: OutboxMetrics,
  ) {
    this.pool = pgPoolOf(dataSource);
    this.loops = Array.from(
      { length: config.OUTBOX_RELAY_CONCURRENCY },
      () =>
        new PollingLoop(OutboxRelay.name, () => this.relayOnce(), {
          intervalMs: config.OUTBOX_POLL_INTERVAL_MS,
        }),
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.OUTBOX_RELAY_ENABLED) this.start();
  }

  /** Graceful shutdown: what the last requests committed goes out before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(
      this.loops.map((loop) => loop.drainAndStop(this.config.OUTBOX_PUBLISH_TIMEOUT_MS * 2)),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  start(): void {
    for (const loop of this.loops) loop.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }

  /** Called after a local commit, so new rows go out without waiting for the next poll. */
  wake(): void {
    for (const loop of this.loops) loop.wake();
  }

  /** One cycle; returns how many rows it published. Throws when publishing failed. */
  async relayOnce(): Promise<number> {
    await this.settleLateSends();
    // Outside a transaction first (one round trip): most cycles find nothing they may take, e.g.
    // the other loop's, woken by the same commit, while this one holds the bucket. The probe's
    // lock ends with its statement; the cycle below takes its own.
    const [probe] = await inOneRoundTrip(this.pool, [this.outbox.claimBuckets(1)]);
    if (!this.outbox.claimedBucketsOf(probe)) return 0;
    let failure: Error | undefined;
    let parked = 0;
    // Two round trips: the claim with BEGIN, the marks with COMMIT; the send between them.
    const published = await LeanTransaction.run(this.pool, async (tx) => {
      const [, claimed] = await tx.query([
        this.outbox.claimBuckets(this.config.OUTBOX_BUCKETS_PER_CYCLE),
        this.outbox.claimedRows(this.config.OUTBOX_BATCH_SIZE),
      ]);
      const rows = this.outbox.pendingRowsOf(claimed);
      if (rows.length === 0) return 0;
      const result = await sendEach(rows, {
        bytesOf: (row) => this.publisher.bytesOf(row),
        send: (batch) => this.sendWithin(batch),
      });
      const marks: Statement[] = [];
      if (result.sent.length > 0) {
        marks.push(this.outbox.markPublished(result.sent.map((row) => row.id)));
      }
      // A row that can never be published cannot hold back the rows behind it, not even its own
      // user's later charges: it is set aside, with the reason, for an operator (admin/outbox/parked).
      if (result.refused.length > 0) {
        marks.push(
          this.outbox.park(result.refused.map(({ item, reason }) => ({ id: item.id, reason }))),
        );
      }
      parked = result.refused.length;
      if (result.failed) {
        failure = result.failed.error;
        marks.push(
          this.outbox.recordFailure(
            result.failed.unsent.map((row) => row.id),
            failure.message,
          ),
        );
      }
      await tx.commit(marks);
      return result.sent.length;
    });
    this.metrics.cycle(published, failure);
    if (parked > 0) this.logger.error(`parked ${parked} outbox rows the broker cannot take`);
    if (failure) throw failure;
    return published;
  }

  /**
   * One send, given the publish timeout. A send that outlives it is remembered (see
   * settleLateSends), so that its rows are not sent again while it may still land.
   */
  private async sendWithin(rows: PendingOutboxRow[]): Promise<void> {
    const sending = this.publisher.publish(rows);
    try {
      await Promise.race([
        sending,
        deadline(this.config.OUTBOX_PUBLISH_TIMEOUT_MS, 'Kafka acknowledgement'),
      ]);
    } catch (error) {
      // (A send that failed outright settles as not landed at once.)
      this.lateSends.add({
        ids: rows.map((row) => row.id),
        landed: sending.then(
          () => true,
          () => false,
        ),
      });
      throw error;
    }
  }

  /**
   * Waits (one publish timeout at most) for the sends that timed out earlier and marks the rows of
   * those that landed. Throws while one is still pending, so the cycle sends nothing meanwhile.
   */
  private async settleLateSends(): Promise<void> {
    for (const late of [...this.lateSends]) {
      const landed = await Promise.race([
        late.landed,
        deadline(this.config.OUTBOX_PUBLISH_TIMEOUT_MS, 'an earlier Kafka send'),
      ]);
      // Both loops may have waited for the same send: the first to wake settles it.
      if (!this.lateSends.delete(late)) continue;
      if (!landed) continue; // its rows are still unpublished and go out in a later cycle
      await inOneRoundTrip(this.pool, [this.outbox.markPublished(late.ids)]);
      this.metrics.cycle(late.ids.length, undefined);
    }
  }
}
