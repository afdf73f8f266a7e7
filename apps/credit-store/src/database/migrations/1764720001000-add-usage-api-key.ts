import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddUsageApiKey1764720001000 implements MigrationInterface {
  name = 'AddUsageApiKey1764720001000';

  async up(db: QueryRunner): Promise<void> {
    // The API key a call was made through (its charge's metadata.api_key_id), for usage per key.
    await db.query(`ALTER TABLE usage_records ADD COLUMN api_key_id text`);
    // Calls recorded before: their charge's entry says it (free calls, which have none, stay out).
    await db.query(`
      UPDATE usage_records u SET api_key_id = e.metadata ->> 'api_key_id'
        FROM ledger_entries e
       WHERE e.event_id = u.event_id AND e.metadata ? 'api_key_id'`);
    await db.query(`CREATE INDEX usage_records_key_idx ON usage_records (user_id, api_key_id, occurred_at)
                     WHERE api_key_id IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX usage_records_key_idx`);
    await db.query(`ALTER TABLE usage_records DROP COLUMN api_key_id`);
  }
}
