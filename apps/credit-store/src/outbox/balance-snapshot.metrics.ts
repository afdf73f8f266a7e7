import { Injectable, Logger } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { BalanceOutboxRepository } from './balance-outbox.repository';

/** Snapshots set aside, read from the table at scrape time (so right whichever replica relays). */
@Injectable()
export class BalanceSnapshotMetrics {
  private readonly logger = new Logger(BalanceSnapshotMetrics.name);

  constructor(registry: Registry, dataSource: DataSource, outbox: BalanceOutboxRepository) {
    const logger = this.logger;
    new Gauge({
      name: 'tally_balance_snapshots_parked',
      help: 'Balance snapshots set aside because they cannot be published (until the account changes again)',
      registers: [registry],
      async collect() {
        try {
          this.set(await outbox.countParked(dataSource.manager));
        } catch (error) {
          // A scrape must still answer while the database is down; readiness reports that.
          logger.warn(`parked snapshots unavailable: ${String(error)}`);
        }
      },
    });
  }
}
