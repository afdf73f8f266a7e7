import { AUDIT_RECORD_COLUMNS_DDL } from '@tally/platform';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Principals (named credentials, one role each, tokens stored as SHA-256), the audit trail of
 * both apps (append-only: a trigger refuses UPDATE, DELETE and TRUNCATE), who made a ledger entry
 * (`actor`, defaulting to the `tally.actor` setting a person's request sets in its transaction, so
 * the entry inserts are unchanged), and support's spend per UTC day, kept by a trigger on those
 * entries so that concurrent grants serialize on one row and can never pass the limit together.
 */
export class CreatePrincipalsAndAudit1765000000000 implements MigrationInterface {
  name = 'CreatePrincipalsAndAudit1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE principals (
        id                        text PRIMARY KEY,
        name                      text NOT NULL UNIQUE,
        role                      text NOT NULL
                                    CHECK (role IN ('admin', 'finance', 'support', 'service')),
        daily_limit               bigint CHECK (daily_limit >= 0),
        token_sha256              bytea NOT NULL UNIQUE,
        previous_token_sha256     bytea UNIQUE,
        previous_token_expires_at timestamptz,
        created_at                timestamptz NOT NULL DEFAULT now(),
        rotated_at                timestamptz,
        revoked_at                timestamptz
      )`);

    await db.query(`
      CREATE TABLE audit_records (
        ${AUDIT_RECORD_COLUMNS_DDL},
        prev_hash   bytea,
        hash        bytea
      )`);
    await db.query(`CREATE INDEX audit_records_at_idx ON audit_records (at DESC, id DESC)`);
    await db.query(`CREATE INDEX audit_records_actor_idx ON audit_records (actor_id, at DESC)`);
    await db.query(`CREATE INDEX audit_records_target_idx ON audit_records (target_id, at DESC)`);
    await db.query(`
      CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit records are append-only (% refused)', TG_OP;
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
        FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()`);
    await db.query(`
      CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
        FOR EACH STATEMENT EXECUTE FUNCTION audit_records_append_only()`);

    await db.query(`
      ALTER TABLE ledger_entries ADD COLUMN actor jsonb
        DEFAULT nullif(current_setting('tally.actor', true), '')::jsonb`);

    await db.query(`
      CREATE TABLE principal_daily_spend (
        principal_id text NOT NULL REFERENCES principals (id),
        day          date NOT NULL,
        spent        bigint NOT NULL,
        PRIMARY KEY (principal_id, day)
      )`);
    // Expiries written on the way, and a refund's own write-offs (tally:refund-expire:...,
    // tally:refund-void:...), follow from the change: not counted again.
    await db.query(`
      CREATE FUNCTION principal_daily_spend() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        cap bigint;
        total bigint;
      BEGIN
        SELECT daily_limit INTO cap FROM principals
         WHERE id = NEW.actor->>'id' AND role = 'support';
        IF cap IS NULL THEN
          RETURN NULL;
        END IF;
        INSERT INTO principal_daily_spend AS s (principal_id, day, spent)
        VALUES (NEW.actor->>'id', (now() AT TIME ZONE 'UTC')::date, abs(NEW.amount))
        ON CONFLICT (principal_id, day) DO UPDATE SET spent = s.spent + EXCLUDED.spent
        RETURNING s.spent INTO total;
        IF total > cap THEN
          RAISE EXCEPTION USING ERRCODE = 'TL403', MESSAGE = format(
            'the daily limit of %s credits would be passed: %s left today (UTC)',
            cap, greatest(cap - (total - abs(NEW.amount)), 0));
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER ledger_entries_principal_spend AFTER INSERT ON ledger_entries
        FOR EACH ROW
        WHEN (NEW.actor IS NOT NULL AND NEW.status = 'applied' AND NEW.source <> 'expire'
              AND NEW.event_id NOT LIKE 'tally:refund-%')
        EXECUTE FUNCTION principal_daily_spend()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER ledger_entries_principal_spend ON ledger_entries`);
    await db.query(`DROP FUNCTION principal_daily_spend`);
    await db.query(`DROP TABLE principal_daily_spend`);
    await db.query(`ALTER TABLE ledger_entries DROP COLUMN actor`);
    await db.query(`DROP TABLE audit_records`);
    await db.query(`DROP FUNCTION audit_records_append_only`);
    await db.query(`DROP TABLE principals`);
  }
}
