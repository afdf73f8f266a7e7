import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PollingLoop } from '@tally/platform';
import { DataSource } from 'typeorm';
import { CreditStoreClient } from '../credit-store-api/credit-store.client';
import { AuditOutboxRepository } from './audit-outbox.repository';

const BATCH = 200;
const INTERVAL_MS = 500;

/**
 * Hands the gateway's audit records (written in the transaction of each change) to the
 * credit-store, where the one trail of both apps is read. At least once: the credit-store keeps a
 * record once by its id; a record is marked relayed only after the credit-store took it.
 */
@Injectable()
export class AuditRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop = new PollingLoop(AuditRelay.name, () => this.relay(), {
    intervalMs: INTERVAL_MS,
    maxBackoffMs: 10_000,
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: AuditOutboxRepository,
    private readonly store: CreditStoreClient,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.drainAndStop(5000);
  }

  async relay(): Promise<number> {
    return this.dataSource.transaction(async (db) => {
      const records = await this.outbox.claim(db, BATCH);
      if (records.length === 0) return 0;
      const answer = await this.store.call(
        'POST',
        '/audit/records',
        { records },
        { routine: true },
      );
      if (answer.status !== 200) {
        throw new Error(`the credit-store refused audit records: ${answer.status}`);
      }
      await this.outbox.markRelayed(
        db,
        records.map((r) => r.id),
      );
      return records.length;
    });
  }
}
