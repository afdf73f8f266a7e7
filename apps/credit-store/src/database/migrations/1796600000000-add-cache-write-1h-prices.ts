import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Anthropic bills a write to its 1-hour prompt cache at twice the input price (a 5-minute write
 * at 1.25 times): a rule may price it apart; without this price it is twice input_per_million.
 */
export class AddCacheWrite1hPrices1796600000000 implements MigrationInterface {
  name = 'AddCacheWrite1hPrices1796600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE price_rule_versions
         ADD COLUMN cache_write_1h_per_million numeric(15, 6) CHECK (cache_write_1h_per_million >= 0)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE price_rule_versions DROP COLUMN cache_write_1h_per_million`);
  }
}
