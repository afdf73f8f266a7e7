import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddRefundsAndVoids1764461000000 implements MigrationInterface {
  name = 'AddRefundsAndVoids1764461000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE accounts ADD COLUMN total_refunded bigint NOT NULL DEFAULT 0
         CHECK (total_refunded >= 0)`,
    );
    // A voided grant keeps its history; refunds to it later are written off again at once.
    await db.query(`ALTER TABLE grants ADD COLUMN voided_at timestamptz`);
    // What was refunded of a charge is summed under its account's lock by every refund of it.
    await db.query(
      `CREATE INDEX ledger_entries_refund_of_idx ON ledger_entries (source_ref_id)
        WHERE source = 'refund'`,
    );
    await db.query(`ALTER TABLE orders DROP CONSTRAINT orders_status_check`);
    await db.query(`ALTER TABLE orders DROP CONSTRAINT orders_credited`);
    await db.query(
      `ALTER TABLE orders
         ADD CONSTRAINT orders_status_check
             CHECK (status IN ('pending', 'paid', 'credited', 'cancelled', 'refunded')),
         ADD CONSTRAINT orders_credited
             CHECK ((status IN ('credited', 'refunded')) = (ledger_event_id IS NOT NULL)),
         ADD COLUMN refunded_at timestamptz,
         ADD COLUMN refund_payment_ref text,
         ADD COLUMN refund_reason text,
         ADD COLUMN refund_event_id text UNIQUE REFERENCES ledger_entries (event_id)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(
      `ALTER TABLE orders DROP CONSTRAINT orders_status_check, DROP CONSTRAINT orders_credited,
         DROP COLUMN refunded_at, DROP COLUMN refund_payment_ref, DROP COLUMN refund_reason,
         DROP COLUMN refund_event_id`,
    );
    await db.query(
      `ALTER TABLE orders
         ADD CONSTRAINT orders_status_check
             CHECK (status IN ('pending', 'paid', 'credited', 'cancelled')),
         ADD CONSTRAINT orders_credited CHECK ((status = 'credited') = (ledger_event_id IS NOT NULL))`,
    );
    await db.query(`DROP INDEX ledger_entries_refund_of_idx`);
    await db.query(`ALTER TABLE grants DROP COLUMN voided_at`);
    await db.query(`ALTER TABLE accounts DROP COLUMN total_refunded`);
  }
}
