import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AccountRepository } from '../accounts/account.repository';
import { LedgerConflictRepository } from './ledger-conflict.repository';
import type { LedgerEntry, Movement } from './ledger-entry';
import { LedgerRepository } from './ledger.repository';
import { MovementOutcome, planMovements } from './plan-movements';
import { withTransactionRetry } from './transaction-retry';

export type AppliedOutcome = MovementOutcome<LedgerEntry> & { entry: LedgerEntry };

@Injectable()
export class LedgerService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountRepository,
    private readonly ledger: LedgerRepository,
    private readonly conflicts: LedgerConflictRepository,
  ) {}

  /**
   * Applies movements in one transaction: lock their accounts, look up their event_ids, write the
   * new entries with balance_before/after, update balances and totals, record conflicts. Each
   * movement gets an outcome, in order; a duplicate answers with the entry first recorded.
   */
  applyMovements(movements: Movement[]): Promise<AppliedOutcome[]> {
    if (movements.length === 0) return Promise.resolve([]);
    return withTransactionRetry(() =>
      this.dataSource.transaction('READ COMMITTED', (db) => this.applyWithin(db, movements)),
    );
  }

  /** The same, inside a transaction the caller owns (e.g. crediting an order with its status). */
  async applyWithin(db: EntityManager, movements: Movement[]): Promise<AppliedOutcome[]> {
    const locked = await this.accounts.lockAccounts(
      db,
      movements.map((m) => m.user_id),
    );
    const recorded = await this.ledger.findByEventIds(
      db,
      movements.map((m) => m.event_id),
    );
    const plan = planMovements(locked, recorded, movements);
    const written = await this.ledger.insertEntries(db, plan.entries);
    await this.accounts.saveBalances(db, plan.accounts);
    // Bus messages cannot be answered with a 409, so their conflicts are kept for investigation.
    await this.conflicts.record(
      db,
      plan.outcomes.flatMap((o) =>
        o.kind === 'conflict' && o.movement.origin
          ? [{ movement: o.movement, reason: o.reason }]
          : [],
      ),
    );
    // Entries planned in this batch are replaced by the rows written (with id and created_at).
    return plan.outcomes.map((outcome) => ({
      ...outcome,
      entry: written.get(outcome.entry.event_id) ?? (outcome.entry as LedgerEntry),
    }));
  }
}
