import { AUDIT_RECORD_HASH_FUNCTION } from '@tally/platform';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit records chained like ledger entries, in one chain for the whole trail: each stores
 * audit_record_hash(previous record's hash, itself) and its place (`chain_seq`). A trigger
 * chains every insert under the lock of the one chain-head row, so inserts serialize (audited
 * changes are rare; the gateway's records come in batches, one lock per batch's transaction) and
 * a record already kept is skipped there (the head must not move for a row not inserted).
 * Records already written are chained here, in (at, id) order.
 */
export class ChainAuditRecords1796600200000 implements MigrationInterface {
  name = 'ChainAuditRecords1796600200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE audit_records ADD COLUMN chain_seq bigint UNIQUE`);
    await db.query(`
      CREATE TABLE audit_chain_head (
        id        integer PRIMARY KEY CHECK (id = 1),
        last_seq  bigint NOT NULL,
        last_hash bytea NOT NULL
      )`);
    await db.query(AUDIT_RECORD_HASH_FUNCTION);
    await db.query(`ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only`);
    await db.query(`
      DO $$
      DECLARE
        r audit_records;
        prev bytea := '\\x';
        n bigint := 0;
      BEGIN
        FOR r IN SELECT * FROM audit_records ORDER BY at, id LOOP
          n := n + 1;
          UPDATE audit_records SET chain_seq = n, prev_hash = prev, hash = audit_record_hash(prev, r)
           WHERE id = r.id;
          prev := audit_record_hash(prev, r);
        END LOOP;
        INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, n, prev);
      END $$`);
    await db.query(`ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only`);
    await db.query(`
      CREATE FUNCTION audit_records_chain() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        head audit_chain_head;
      BEGIN
        SELECT * INTO head FROM audit_chain_head WHERE id = 1 FOR UPDATE;
        IF EXISTS (SELECT 1 FROM audit_records WHERE id = NEW.id) THEN
          RETURN NULL;
        END IF;
        NEW.chain_seq := head.last_seq + 1;
        NEW.prev_hash := head.last_hash;
        NEW.hash := audit_record_hash(head.last_hash, NEW);
        UPDATE audit_chain_head SET last_seq = NEW.chain_seq, last_hash = NEW.hash WHERE id = 1;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_records_chain BEFORE INSERT ON audit_records
        FOR EACH ROW EXECUTE FUNCTION audit_records_chain()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER audit_records_chain ON audit_records`);
    await db.query(`DROP FUNCTION audit_records_chain`);
    await db.query(`DROP FUNCTION audit_record_hash`);
    await db.query(`DROP TABLE audit_chain_head`);
    await db.query(`ALTER TABLE audit_records DROP COLUMN chain_seq`);
  }
}
