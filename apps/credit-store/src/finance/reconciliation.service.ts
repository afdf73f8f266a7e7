import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReconciliationMetrics } from './reconciliation.metrics';
import { Mismatch, ReconciliationRepository } from './reconciliation.repository';

export interface Reconciliation {
  ok: boolean;
  accounts_checked: number;
  mismatches: Mismatch[];
}

/** Checks the ledger's invariants on one consistent snapshot (writes may go on meanwhile). */
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reconciliation: ReconciliationRepository,
    private readonly metrics: ReconciliationMetrics,
  ) {}

  /** Of some accounts, or of all (null): only a whole one is reported to the metrics. */
  async reconcile(users: string[] | null = null): Promise<Reconciliation> {
    const result = await this.dataSource.transaction('REPEATABLE READ', async (db) => {
      await db.query('SET TRANSACTION READ ONLY');
      const mismatches = await this.reconciliation.findMismatches(db, users);
      return {
        ok: mismatches.length === 0,
        accounts_checked: await this.reconciliation.countAccounts(db, users),
        mismatches,
      };
    });
    if (users === null) this.metrics.record(result);
    return result;
  }
}
