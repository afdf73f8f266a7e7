import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreatePriceAndRewardRules1763942600000 implements MigrationInterface {
  name = 'CreatePriceAndRewardRules1763942600000';

  async up(db: QueryRunner): Promise<void> {
    // A rule's identity; what it matches and its prices live in versions, so an edit never
    // rewrites history and a ledger entry's (rule_id, rule_version) can always be re-priced.
    await db.query(`
      CREATE TABLE price_rules (
        id               bigserial PRIMARY KEY,
        current_version  integer NOT NULL DEFAULT 1,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE price_rule_versions (
        rule_id                bigint NOT NULL REFERENCES price_rules (id),
        version                integer NOT NULL CHECK (version > 0),
        scene                  text NOT NULL,
        provider               text,
        model                  text,
        mode                   text NOT NULL CHECK (mode IN ('tokens', 'fixed', 'duration', 'free')),
        priority               integer NOT NULL DEFAULT 0,
        input_per_million      numeric(15, 6) CHECK (input_per_million >= 0),
        output_per_million     numeric(15, 6) CHECK (output_per_million >= 0),
        cached_per_million     numeric(15, 6) CHECK (cached_per_million >= 0),
        reasoning_per_million  numeric(15, 6) CHECK (reasoning_per_million >= 0),
        credits_per_call       numeric(15, 6) CHECK (credits_per_call >= 0),
        credits_per_second     numeric(15, 6) CHECK (credits_per_second >= 0),
        min_credits            bigint CHECK (min_credits >= 0),
        status                 text NOT NULL CHECK (status IN ('active', 'inactive', 'deleted')),
        created_at             timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (rule_id, version)
      )`);
    await db.query(`
      CREATE FUNCTION price_rule_versions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'price_rule_versions is append-only (% refused)', TG_OP;
      END $$`);
    await db.query(`
      CREATE TRIGGER price_rule_versions_append_only
        BEFORE UPDATE OR DELETE ON price_rule_versions
        FOR EACH ROW EXECUTE FUNCTION price_rule_versions_append_only()`);

    await db.query(`
      CREATE TABLE reward_rules (
        id          bigserial PRIMARY KEY,
        source      text NOT NULL,
        name        text NOT NULL,
        amount      bigint NOT NULL CHECK (amount > 0),
        status      text NOT NULL CHECK (status IN ('active', 'inactive', 'deleted')),
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // One live rule per source; a deleted rule's source may be taken again.
    await db.query(`
      CREATE UNIQUE INDEX reward_rules_source_idx ON reward_rules (source) WHERE status <> 'deleted'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE reward_rules`);
    await db.query(`DROP TABLE price_rule_versions`);
    await db.query(`DROP FUNCTION price_rule_versions_append_only`);
    await db.query(`DROP TABLE price_rules`);
  }
}
