import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import {
  BALANCE_UPDATED_SCHEMA_VERSION,
  BalanceUpdatedEvent,
  isBlocked,
  jsonAmount,
  Topics,
} from '@tally/contracts';
import {
  deadline,
  KAFKA,
  LazyProducer,
  messageBytes,
  PollingLoop,
  sendEach,
  stableUuid,
} from '@tally/platform';
import type { Kafka, Message } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { CreditStoreConfig } from '../config/credit-store.config';
import {
  BalanceOutboxRepository,
  ParkedSnapshot,
  PendingSnapshot,
} from './balance-outbox.repository';

const BATCH_SIZE = 500;

/** What one cycle sent or parked, and the failure that stopped it (an outage), if any. */
interface RelayOutcome {
  handled: number;
  failure?: Error;
}

const PUBLISH_TIMEOUT_MS = 5000;

/**
 * The same for every sending of one account state, and 36 characters whatever the user id's
 * length: a UUID (version 8, RFC 9562) made of the SHA-256 of user and version.
 */
export function snapshotEventId(userId: string, version: bigint): string {
  return stableUuid(userId, version.toString());
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
  private readonly logger = new Logger(BalanceSnapshotRelay.name);

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

  /**
   * Publishes what is pending, each snapshot on its own when a send fails: one that cannot be
   * built or that the broker refuses is parked (until its account changes again), so it cannot
   * stop every other account's snapshots.
   */
  async relayOnce(): Promise<number> {
    const outcome = await this.dataSource.transaction(async (db): Promise<RelayOutcome> =>
      (await this.outbox.tryLockRelay(db)) ? this.publishPending(db) : { handled: 0 },
    );
    // Thrown after the commit, so what was sent or parked before the failure stays marked.
    if (outcome.failure) throw outcome.failure;
    return outcome.handled;
  }

  private async publishPending(db: EntityManager): Promise<RelayOutcome> {
    const pending = await this.outbox.findPending(db, BATCH_SIZE);
    if (pending.length === 0) return { handled: 0 };
    const now = new Date();
    const parked: ParkedSnapshot[] = [];
    const messages: { snapshot: PendingSnapshot; message: Message }[] = [];
    for (const snapshot of pending) {
      try {
        const value = JSON.stringify(balanceUpdatedEvent(snapshot, now));
        messages.push({ snapshot, message: { key: snapshot.user_id, value } });
      } catch (error) {
        parked.push({ snapshot, reason: `cannot be built: ${String(error)}` });
      }
    }
    const result = await sendEach(messages, {
      bytesOf: ({ message }) => messageBytes(message),
      send: (batch) => this.send(batch.map(({ message }) => message)),
    });
    await this.outbox.markPublished(
      db,
      result.sent.map(({ snapshot }) => snapshot),
    );
    parked.push(...result.refused.map(({ item, reason }) => ({ snapshot: item.snapshot, reason })));
    await this.outbox.park(db, parked);
    if (parked.length > 0) {
      this.logger.error(`parked ${parked.length} balance snapshots: ${parked[0].reason}`);
    }
    return { handled: result.sent.length + parked.length, failure: result.failed?.error };
  }

  private async send(messages: Message[]): Promise<void> {
    const send = this.producer.send({ topic: Topics.balanceUpdated, messages });
    await Promise.race([send, deadline(PUBLISH_TIMEOUT_MS, 'Kafka acknowledgement')]);
  }
}
