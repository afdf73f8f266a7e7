import { AUDIT_RECORD_COLUMNS_DDL } from '@tally/platform';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gateway's audit records, written in the transaction of each change, until the relay has
 * handed them to the credit-store's trail (`relayed_at`). Nothing else about a record may change.
 */
export class CreateAuditRecords1765000000000 implements MigrationInterface {
  name = 'CreateAuditRecords1765000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_records (
        ${AUDIT_RECORD_COLUMNS_DDL},
        relayed_at  timestamptz
      )`);
    await db.query(`
      CREATE INDEX audit_records_unrelayed_idx ON audit_records (at, id) WHERE relayed_at IS NULL`);
    await db.query(`
      CREATE FUNCTION audit_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.relayed_at IS NULL AND NEW.relayed_at IS NOT NULL
           AND (to_jsonb(NEW) - 'relayed_at') = (to_jsonb(OLD) - 'relayed_at') THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit records are append-only (% refused)', TG_OP;
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
        FOR EACH ROW EXECUTE FUNCTION audit_records_append_only()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE audit_records`);
    await db.query(`DROP FUNCTION audit_records_append_only`);
  }
}
