import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChainVerification, ChainVerificationService } from './chain-verification.service';
import { ReconciliationMetrics } from './reconciliation.metrics';
import { Mismatch, ReconciliationRepository } from './reconciliation.repository';

export interface Reconciliation {
  ok: boolean;
  accounts_checked: number;
  mismatches: Mismatch[];
  /** GET /finance/verify's answer, on the same snapshot; a break is also one of the mismatches. */
  chain: ChainVerification;
}

/** Checks the ledger's invariants on one consistent snapshot (writes may go on meanwhile). */
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reconciliation: ReconciliationRepository,
    private readonly chains: ChainVerificationService,
    private readonly metrics: ReconciliationMetrics,
  ) {}

  /** Of some accounts, or of all (null): only a whole one is reported to the metrics. */
  async reconcile(users: string[] | null = null): Promise<Reconciliation> {
    const result = await this.dataSource.transaction('REPEATABLE READ', async (db) => {
      await db.query('SET TRANSACTION READ ONLY');
      const mismatches = await this.reconciliation.findMismatches(db, users);
      const chain = await this.chains.verifyWithin(db, users);
      if (chain.first_break) {
        mismatches.push({
          user_id: chain.first_break.user_id,
          check: 'hash_chain',
          ref: chain.first_break.event_id,
          expected: 'an unbroken chain',
          actual: `broken at entry ${chain.first_break.entry_id ?? '(none)'}`,
        });
      }
      if (chain.first_audit_break) {
        mismatches.push({
          user_id: '',
          check: 'audit_chain',
          ref: chain.first_audit_break.record_id,
          expected: 'an unbroken chain',
          actual: `broken at audit record ${chain.first_audit_break.record_id}`,
        });
      }
      return {
        ok: mismatches.length === 0,
        accounts_checked: await this.reconciliation.countAccounts(db, users),
        mismatches,
        chain,
      };
    });
    if (users === null) this.metrics.record(result);
    return result;
  }
}
