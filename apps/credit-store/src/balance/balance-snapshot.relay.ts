import { createHash } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import {
  BALANCE_UPDATED_SCHEMA_VERSION,
  BalanceUpdatedEvent,
  jsonAmount,
  Topics,
} from '@tally/contracts';
import { deadline, KAFKA, LazyProducer, PollingLoop } from '@tally/platform';
import type { Kafka } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { CreditStoreConfig } from '../config/credit-store.config';
import { isBlocked } from '../ledger/account-balance';
import { BalanceOutboxRepository, PendingSnapshot } from './balance-outbox.repository';

const BATCH_SIZE = 500;
const PUBLISH_TIMEOUT_MS = 5000;

/**
 * The same for every sending of one account state, and 36 characters whatever the user id's
 * length: a UUID (version 8, RFC 9562) made of the SHA-256 of user and version.
 */
export function snapshotEventId(userId: string, version: bigint): string {
  const bytes = createHash('sha256').update(`${userId}\n${version}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function balanceUpdatedEvent(snapshot: PendingSnapshot, now: Date): BalanceUpdatedEvent {
  const available = snapshot.balance - snapshot.held;
  return {
    event_id: snapshotEventId(snapshot.user_id, snapshot.version),
    event_type: Topics.balanceUpdated,
    schema_version: BALANCE_UPDATED_SCHEMA_VERSION,
    occurred_at: now.toISOString(),
    producer: 'credit-store',
    payload: {
      user_id: snapshot.user_id,
      balance: jsonAmount(snapshot.balance),
      held: jsonAmount(snapshot.held),
      available: jsonAmount(available),
      blocked: isBlocked(snapshot.balance),
      version: jsonAmount(snapshot.version),
      charge_sequence: jsonAmount(snapshot.charge_sequence),
      updated_at: snapshot.updated_at.toISOString(),
      expiring: snapshot.expiring.map((e) => ({
        at: e.at.toISOString(),
        amount: jsonAmount(e.amount),
      })),
    },
  };
}

/**
 * Publishes the latest state of every changed account on `credit.balance.updated` (keyed by user),
 * at least once. One relay at a time across replicas (see tryLockRelay), so a user's snapshots go
 * out in version order; a row is deleted only if no newer change was queued meanwhile.
 */
@Injectable()
export class BalanceSnapshotRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly producer: LazyProducer;
  private readonly loop: PollingLoop;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: BalanceOutboxRepository,
    config: CreditStoreConfig,
    @Inject(KAFKA) kafka: Kafka,
  ) {
    this.producer = new LazyProducer(kafka);
    this.loop = new PollingLoop(BalanceSnapshotRelay.name, () => this.relayOnce(), {
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

  /** After a commit that queued snapshots. */
  wake(): void {
    this.loop.wake();
  }

  async relayOnce(): Promise<number> {
    return this.dataSource.transaction(async (db) => {
      if (!(await this.outbox.tryLockRelay(db))) return 0;
      return this.publishPending(db);
    });
  }

  private async publishPending(db: EntityManager): Promise<number> {
    const pending = await this.outbox.findPending(db, BATCH_SIZE);
    if (pending.length === 0) return 0;
    const now = new Date();
    const send = this.producer.get().then((producer) =>
      producer.send({
        topic: Topics.balanceUpdated,
        acks: -1,
        messages: pending.map((snapshot) => ({
          key: snapshot.user_id,
          value: JSON.stringify(balanceUpdatedEvent(snapshot, now)),
        })),
      }),
    );
    await Promise.race([send, deadline(PUBLISH_TIMEOUT_MS, 'Kafka acknowledgement')]);
    await this.outbox.markPublished(db, pending);
    return pending.length;
  }
}
