import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Limits on what one rule may credit one user (`POST /rewards` is open to the service token):
 * per UTC day and in total, null for none. Rules that exist get one reward a user a day, the
 * default of a rule created without limits. The partial index serves the count of a user's
 * rewards of a source, taken under the account's lock before each reward.
 */
export class AddRewardLimits1796517121241 implements MigrationInterface {
  name = 'AddRewardLimits1796517121241';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE reward_rules
        ADD COLUMN max_per_user_per_day integer DEFAULT 1 CHECK (max_per_user_per_day > 0),
        ADD COLUMN max_per_user integer CHECK (max_per_user > 0)`);
    await db.query(`ALTER TABLE reward_rules ALTER COLUMN max_per_user_per_day DROP DEFAULT`);
    await db.query(`
      CREATE INDEX ledger_entries_rewards_idx ON ledger_entries (user_id, source_ref_id, created_at)
        WHERE source = 'reward'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ledger_entries_rewards_idx`);
    await db.query(
      `ALTER TABLE reward_rules DROP COLUMN max_per_user_per_day, DROP COLUMN max_per_user`,
    );
  }
}
