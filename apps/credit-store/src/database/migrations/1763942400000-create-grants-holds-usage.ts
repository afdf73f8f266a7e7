import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateGrantsHoldsUsage1763942400000 implements MigrationInterface {
  name = 'CreateGrantsHoldsUsage1763942400000';

  async up(db: QueryRunner): Promise<void> {
    // Which grants an expense drew from ([{ grant, amount }], grant = the grant's event_id), so
    // every credit can be followed from the income that brought it to the charge that spent it.
    await db.query(`ALTER TABLE ledger_entries ADD COLUMN allocations jsonb`);

    // One per income entry. remaining only goes down (charges FIFO by expires_at, expiry), and
    // the part of an income that paid back an overdraft (debt_covered) never becomes spendable.
    await db.query(`
      CREATE TABLE grants (
        id            bigserial PRIMARY KEY,
        event_id      text NOT NULL UNIQUE REFERENCES ledger_entries (event_id),
        user_id       text NOT NULL REFERENCES accounts (user_id),
        source        text NOT NULL,
        amount        bigint NOT NULL CHECK (amount > 0),
        debt_covered  bigint NOT NULL DEFAULT 0 CHECK (debt_covered BETWEEN 0 AND amount),
        remaining     bigint NOT NULL CHECK (remaining >= 0 AND remaining <= amount - debt_covered),
        expires_at    timestamptz,
        expired_at    timestamptz,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE INDEX grants_spendable_idx ON grants (user_id, expires_at, id) WHERE remaining > 0`);
    await db.query(`
      CREATE INDEX grants_due_idx ON grants (expires_at)
        WHERE remaining > 0 AND expires_at IS NOT NULL`);

    // Two-phase reservations. Open holds lower what can be authorized, never the balance.
    await db.query(`
      CREATE TABLE holds (
        hold_id           text PRIMARY KEY,
        user_id           text NOT NULL REFERENCES accounts (user_id),
        amount            bigint NOT NULL CHECK (amount > 0),
        status            text NOT NULL CHECK (status IN ('open', 'captured', 'voided', 'expired')),
        expires_at        timestamptz NOT NULL,
        capture_event_id  text UNIQUE,
        captured_amount   bigint,
        description       text,
        created_at        timestamptz NOT NULL DEFAULT now(),
        closed_at         timestamptz,
        CONSTRAINT holds_capture CHECK (
          (status = 'captured') = (capture_event_id IS NOT NULL AND captured_amount IS NOT NULL)),
        CONSTRAINT holds_closed CHECK ((status = 'open') = (closed_at IS NULL))
      )`);
    await db.query(`CREATE INDEX holds_open_user_idx ON holds (user_id) WHERE status = 'open'`);
    await db.query(
      `CREATE INDEX holds_open_expiry_idx ON holds (expires_at) WHERE status = 'open'`,
    );

    // Every priced call, free ones included (they move no credits, so they have no ledger entry).
    await db.query(`
      CREATE TABLE usage_records (
        event_id          text PRIMARY KEY,
        user_id           text NOT NULL,
        source            text NOT NULL,
        mode              text NOT NULL,
        provider          text,
        model             text,
        rule_id           text,
        rule_version      integer,
        amount            bigint NOT NULL CHECK (amount >= 0),
        input_tokens      bigint NOT NULL DEFAULT 0,
        cached_tokens     bigint NOT NULL DEFAULT 0,
        reasoning_tokens  bigint NOT NULL DEFAULT 0,
        output_tokens     bigint NOT NULL DEFAULT 0,
        seconds           numeric NOT NULL DEFAULT 0,
        occurred_at       timestamptz NOT NULL,
        created_at        timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX usage_records_user_idx ON usage_records (user_id, occurred_at)`);

    // Accounts whose new state is not yet on credit.balance.updated: one row per account (the
    // latest version wins), written in the transaction that changed it, deleted once published.
    await db.query(`
      CREATE TABLE balance_outbox (
        user_id      text PRIMARY KEY,
        version      bigint NOT NULL,
        enqueued_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE balance_outbox`);
    await db.query(`DROP TABLE usage_records`);
    await db.query(`DROP TABLE holds`);
    await db.query(`DROP TABLE grants`);
    await db.query(`ALTER TABLE ledger_entries DROP COLUMN allocations`);
  }
}
