import { MigrationInterface, QueryRunner } from 'typeorm';
import { backfillChains } from '../../ledger/entries/chain-backfill';
import { EntryChainRepository } from '../../ledger/entries/entry-chain.repository';

/**
 * Tamper evidence: each entry's SHA-256 chained per account (entry-hash.ts), the account's newest
 * one on its row. Entries already written are hashed here, in order from each account's first, so
 * every chain starts at the account's first entry. entry_hash stays nullable (fixtures and old
 * tools may still write raw rows); GET /finance/verify reports an entry without one as a break.
 */
export class AddLedgerHashChain1765000100000 implements MigrationInterface {
  name = 'AddLedgerHashChain1765000100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE ledger_entries ADD COLUMN entry_hash bytea`);
    await db.query(`ALTER TABLE accounts ADD COLUMN last_entry_hash bytea`);
    await db.query(`ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only`);
    await backfillChains(db.manager, new EntryChainRepository());
    await db.query(`ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE accounts DROP COLUMN last_entry_hash`);
    await db.query(`ALTER TABLE ledger_entries DROP COLUMN entry_hash`);
  }
}
