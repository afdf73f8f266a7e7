import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddCacheWritePrices1764460900000 implements MigrationInterface {
  name = 'AddCacheWritePrices1764460900000';

  async up(db: QueryRunner): Promise<void> {
    // Anthropic bills writing a prompt to its cache apart from reading it (cached_per_million)
    // and from plain input; a rule without this price charges cache writes as input.
    await db.query(
      `ALTER TABLE price_rule_versions
         ADD COLUMN cache_write_per_million numeric(15, 6) CHECK (cache_write_per_million >= 0)`,
    );
    await db.query(
      `ALTER TABLE usage_records ADD COLUMN cache_write_tokens bigint NOT NULL DEFAULT 0`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE usage_records DROP COLUMN cache_write_tokens`);
    await db.query(`ALTER TABLE price_rule_versions DROP COLUMN cache_write_per_million`);
  }
}
