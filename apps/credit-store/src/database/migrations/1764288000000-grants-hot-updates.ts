import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every charge lowers a grant's `remaining`. The two partial indexes named `remaining` in their
 * predicate, so PostgreSQL treated each of those updates as touching indexed columns: never a HOT
 * update, always a new entry in all four indexes of grants (most of the ledger apply's index
 * writes after the entries' own). They now name a stored `spendable` flag, which changes only
 * when a grant runs out; with room left on each page (fillfactor), lowering `remaining` is a
 * heap-only update.
 */
export class GrantsHotUpdates1764288000000 implements MigrationInterface {
  name = 'GrantsHotUpdates1764288000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE grants ADD COLUMN spendable boolean GENERATED ALWAYS AS (remaining > 0) STORED`,
    );
    await db.query(`DROP INDEX grants_spendable_idx`);
    await db.query(`DROP INDEX grants_due_idx`);
    await db.query(
      `CREATE INDEX grants_spendable_idx ON grants (user_id, expires_at, id) WHERE spendable`,
    );
    await db.query(
      `CREATE INDEX grants_due_idx ON grants (expires_at) WHERE spendable AND expires_at IS NOT NULL`,
    );
    // New pages keep 30 % free for updated versions of their rows. Accounts, updated by every
    // batch that touches them, had half of their updates miss HOT for want of room on the page.
    await db.query(`ALTER TABLE grants SET (fillfactor = 70)`);
    await db.query(`ALTER TABLE accounts SET (fillfactor = 70)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE accounts RESET (fillfactor)`);
    await db.query(`ALTER TABLE grants RESET (fillfactor)`);
    await db.query(`DROP INDEX grants_due_idx`);
    await db.query(`DROP INDEX grants_spendable_idx`);
    await db.query(
      `CREATE INDEX grants_spendable_idx ON grants (user_id, expires_at, id) WHERE remaining > 0`,
    );
    await db.query(
      `CREATE INDEX grants_due_idx ON grants (expires_at)
         WHERE remaining > 0 AND expires_at IS NOT NULL`,
    );
    await db.query(`ALTER TABLE grants DROP COLUMN spendable`);
  }
}
