import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AccountEvent, AccountEventData, AccountEventType, Topics } from '@tally/contracts';
import { KAFKA, LazyProducer, PollingLoop } from '@tally/platform';
import type { Kafka } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { CreditStoreConfig } from '../config/credit-store.config';
import { AccountEventRepository, PendingAccountEvent } from './account-event.repository';

const BATCH_SIZE = 500;

export function accountEventMessage(row: PendingAccountEvent): AccountEvent {
  return {
    id: row.id,
    type: row.type as AccountEventType,
    occurred_at: row.occurred_at.toISOString(),
    user_id: row.user_id,
    seq: Number(row.seq),
    data: row.data as unknown as AccountEventData,
  };
}

/**
 * Publishes account events on `credit.account.events` (keyed by user), at least once: an event
 * is marked only after the broker took it, so a crash between the two sends it again with the
 * same id (consumers drop repeats by id). One relay at a time across replicas, so each user's
 * events go out in seq order; a failed send stops the cycle (no event overtakes an earlier one).
 */
@Injectable()
export class AccountEventRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly producer: LazyProducer;
  private readonly loop: PollingLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: AccountEventRepository,
    config: CreditStoreConfig,
    @Inject(KAFKA) kafka: Kafka,
  ) {
    this.producer = new LazyProducer(kafka);
    this.loop = new PollingLoop(AccountEventRelay.name, () => this.relayOnce(), {
      intervalMs: config.BALANCE_RELAY_POLL_MS,
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
    await this.producer.disconnect();
  }

  /** After a commit that wrote events. */
  wake(): void {
    this.loop.wake();
  }

  async relayOnce(): Promise<number> {
    return this.dataSource.transaction(async (db) =>
      (await this.events.tryLockRelay(db)) ? this.publishPending(db) : 0,
    );
  }

  private async publishPending(db: EntityManager): Promise<number> {
    const pending = await this.events.findPending(db, BATCH_SIZE);
    if (pending.length === 0) return 0;
    const messages = pending.map((row) => ({
      key: row.user_id,
      value: JSON.stringify(accountEventMessage(row)),
    }));
    // Awaited to the end, never abandoned on a deadline: a send given up on could still land
    // after the next cycle's, and put a user's events out of seq order (kafkajs bounds it).
    await this.producer.send({ topic: Topics.accountEvents, messages });
    await this.events.markPublished(
      db,
      pending.map((row) => row.id),
    );
    return pending.length;
  }
}
