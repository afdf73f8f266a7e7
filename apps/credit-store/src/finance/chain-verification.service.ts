import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuditChainRepository } from '../audit/audit-chain.repository';
import { ChainBreak, ChainCheck } from '../ledger/entries/chain-check';
import { walkChains } from '../ledger/entries/chain-walk';
import { EntryChainRepository } from '../ledger/entries/entry-chain.repository';

export interface ChainVerification {
  ok: boolean;
  accounts_checked: number;
  entries_checked: number;
  /** Audit records checked (the whole trail's one chain; none when one account is asked for). */
  audit_checked: number;
  /** The first ledger entry whose chain breaks. */
  first_break: ChainBreak | null;
  /** The first audit record whose chain breaks (edited, or not chained). */
  first_audit_break: { record_id: string } | null;
}

/** Recomputes every hash chain (see entry-hash.ts, and the audit trail's) against what is stored. */
@Injectable()
export class ChainVerificationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly chains: EntryChainRepository,
    private readonly auditChain: AuditChainRepository,
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
    const audit = users === null ? await this.auditChain.check(db) : undefined;
    return {
      ok: check.ok && !audit?.firstBreak,
      accounts_checked: check.accounts,
      entries_checked: check.entries,
      audit_checked: audit?.checked ?? 0,
      first_break: check.firstBreak,
      first_audit_break: audit?.firstBreak ?? null,
    };
  }
}
