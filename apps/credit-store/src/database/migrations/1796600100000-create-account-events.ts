import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Account events (`credit.account.events`): written in the ledger transaction that causes them,
 * published by a relay that marks them. `event_seq` is the user's last event number, advanced
 * under the account's row lock, so a user's events are numbered without gaps; the low-balance
 * threshold is per account once set (`low_balance_set`), else LOW_BALANCE_THRESHOLD.
 */
export class CreateAccountEvents1796600100000 implements MigrationInterface {
  name = 'CreateAccountEvents1796600100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE accounts
        ADD COLUMN event_seq bigint NOT NULL DEFAULT 0,
        ADD COLUMN low_balance_threshold bigint,
        ADD COLUMN low_balance_set boolean NOT NULL DEFAULT false`);
    await db.query(`
      CREATE TABLE account_events (
        id uuid PRIMARY KEY,
        user_id text NOT NULL,
        seq bigint NOT NULL,
        type text NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        data jsonb NOT NULL,
        published_at timestamptz,
        UNIQUE (user_id, seq))`);
    await db.query(`
      CREATE INDEX account_events_pending_idx ON account_events (user_id, seq)
        WHERE published_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE account_events`);
    await db.query(`
      ALTER TABLE accounts
        DROP COLUMN event_seq, DROP COLUMN low_balance_threshold, DROP COLUMN low_balance_set`);
  }
}
