import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateLedger1763856000000 implements MigrationInterface {
  name = 'CreateLedger1763856000000';

  async up(db: QueryRunner): Promise<void> {
    // One row per user: the running balance and totals, changed only together with a ledger entry.
    await db.query(`
      CREATE TABLE accounts (
        user_id          text PRIMARY KEY,
        balance          bigint NOT NULL DEFAULT 0,
        total_recharged  bigint NOT NULL DEFAULT 0 CHECK (total_recharged >= 0),
        total_rewarded   bigint NOT NULL DEFAULT 0 CHECK (total_rewarded >= 0),
        total_consumed   bigint NOT NULL DEFAULT 0 CHECK (total_consumed >= 0),
        total_expired    bigint NOT NULL DEFAULT 0 CHECK (total_expired >= 0),
        version          bigint NOT NULL DEFAULT 0,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);

    // The authoritative, append-only ledger. event_id is the producer's idempotency key.
    await db.query(`
      CREATE TABLE ledger_entries (
        id              bigserial PRIMARY KEY,
        event_id        text NOT NULL UNIQUE,
        user_id         text NOT NULL REFERENCES accounts (user_id),
        source          text NOT NULL,
        direction       text NOT NULL CHECK (direction IN ('income', 'expense')),
        amount          bigint NOT NULL,
        balance_before  bigint NOT NULL,
        balance_after   bigint NOT NULL,
        status          text NOT NULL CHECK (status IN ('applied', 'rejected')),
        description     text,
        metadata        jsonb NOT NULL DEFAULT '{}'::jsonb,
        pricing         jsonb,
        source_ref_id   text,
        order_id        text,
        hold_id         text,
        occurred_at     timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_entries_sign CHECK (
          (direction = 'income' AND amount > 0) OR (direction = 'expense' AND amount < 0)),
        CONSTRAINT ledger_entries_arithmetic CHECK (
          balance_after = balance_before + CASE WHEN status = 'applied' THEN amount ELSE 0 END)
      )`);
    await db.query(`CREATE INDEX ledger_entries_user_idx ON ledger_entries (user_id, id)`);
    await db.query(`CREATE INDEX ledger_entries_created_idx ON ledger_entries (created_at)`);

    // Append-only by construction, not by convention.
    await db.query(`
      CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger_entries is append-only (% refused)', TG_OP;
      END $$`);
    await db.query(`
      CREATE TRIGGER ledger_entries_append_only
        BEFORE UPDATE OR DELETE ON ledger_entries
        FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only()`);

    // Requests that reused an event_id for something else: refused, kept here for investigation.
    await db.query(`
      CREATE TABLE ledger_conflicts (
        id               bigserial PRIMARY KEY,
        event_id         text NOT NULL,
        user_id          text NOT NULL,
        source           text NOT NULL,
        direction        text NOT NULL,
        amount           bigint NOT NULL,
        reason           text NOT NULL,
        origin_topic     text,
        origin_partition integer,
        origin_offset    bigint,
        received_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX ledger_conflicts_event_idx ON ledger_conflicts (event_id)`);
    // A redelivered message records its conflict once.
    await db.query(`
      CREATE UNIQUE INDEX ledger_conflicts_origin_idx
        ON ledger_conflicts (origin_topic, origin_partition, origin_offset)
        WHERE origin_topic IS NOT NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE ledger_conflicts`);
    await db.query(`DROP TABLE ledger_entries`);
    await db.query(`DROP FUNCTION ledger_entries_append_only`);
    await db.query(`DROP TABLE accounts`);
  }
}
