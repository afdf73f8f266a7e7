import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ChainBreak, ChainCheck } from '../ledger/entries/chain-check';
import { walkChains } from '../ledger/entries/chain-walk';
import { EntryChainRepository } from '../ledger/entries/entry-chain.repository';

export interface ChainVerification {
  ok: boolean;
  accounts_checked: number;
  entries_checked: number;
  /**
   * Audit records checked. The audit trail's chain is checked here too once it exists: walk it in
   * the same transaction, add its count, and take its first break where no entry broke first.
   */
  audit_checked: number;
  first_break: ChainBreak | null;
}

/** Recomputes every hash chain (see entry-hash.ts) against what is stored. */
@Injectable()
export class ChainVerificationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly chains: EntryChainRepository,
  ) {}

  /** On one consistent snapshot, as the reconciliation does (writes may go on meanwhile). */
  verify(users: string[] | null = null): Promise<ChainVerification> {
    return this.dataSource.transaction('REPEATABLE READ', async (db) => {
      await db.query('SET TRANSACTION READ ONLY');
      return this.verifyWithin(db, users);
    });
  }

  async verifyWithin(db: EntityManager, users: string[] | null): Promise<ChainVerification> {
    const check = new ChainCheck();
    for await (const step of walkChains(db, this.chains, { users })) {
      if (step.kind === 'open') check.open(step.account.user_id);
      else if (step.kind === 'entry') check.check(step.entry);
      else check.close(step.account.last_entry_hash);
    }
    return {
      ok: check.ok,
      accounts_checked: check.accounts,
      entries_checked: check.entries,
      audit_checked: 0,
      first_break: check.firstBreak,
    };
  }
}
