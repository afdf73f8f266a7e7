import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What each grant's credits cost (minor units of a currency), and the daily revenue totals the
 * ledger keeps as it moves that value (see grant-value.ts). Grants made before this migration are
 * worth 0: their history was never valued, so they neither defer nor recognize anything.
 *
 * revenue_days is written once per ledger transaction that moves value, as an upsert of deltas.
 * `shard` (the writing connection's backend pid modulo 64) spreads concurrent writers over
 * different rows, so two consumers applying charges at once do not queue on one row lock; a
 * day's figures are the sum of its shards.
 */
export class AddGrantValueAndRevenue1764720100000 implements MigrationInterface {
  name = 'AddGrantValueAndRevenue1764720100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE grants
        ADD COLUMN value_cent bigint NOT NULL DEFAULT 0 CHECK (value_cent >= 0),
        ADD COLUMN currency text CHECK (currency ~ '^[A-Z]{3}$'),
        ADD CONSTRAINT grants_value_has_currency CHECK (value_cent = 0 OR currency IS NOT NULL)`);
    await db.query(`
      CREATE TABLE revenue_days (
        day        date NOT NULL,
        currency   text NOT NULL,
        shard      smallint NOT NULL,
        sales      bigint NOT NULL DEFAULT 0,
        recognized bigint NOT NULL DEFAULT 0,
        breakage   bigint NOT NULL DEFAULT 0,
        refunds    bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (day, currency, shard)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE revenue_days`);
    await db.query(`
      ALTER TABLE grants DROP CONSTRAINT grants_value_has_currency,
        DROP COLUMN currency, DROP COLUMN value_cent`);
  }
}
