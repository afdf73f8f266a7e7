import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/** Snapshots this gateway could not read: each leaves a user's view stale until the next one. */
@Injectable()
export class BalanceSnapshotMetrics {
  private readonly skipped: Counter;

  constructor(registry: Registry) {
    this.skipped = new Counter({
      name: 'tally_balance_snapshots_skipped_total',
      help: 'credit.balance.updated messages skipped as unreadable or invalid',
      registers: [registry],
    });
  }

  skippedOne(): void {
    this.skipped.inc();
  }
}
