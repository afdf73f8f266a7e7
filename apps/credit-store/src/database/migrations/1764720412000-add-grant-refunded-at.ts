import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an order refund took an order's grant back. Credits a later refund of a charge would give
 * back to that grant return without its value (the order's cash went back): see plan-movements.
 * Grants of orders refunded before this existed are marked from their order refund entries.
 */
export class AddGrantRefundedAt1764720412000 implements MigrationInterface {
  name = 'AddGrantRefundedAt1764720412000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE grants ADD COLUMN refunded_at timestamptz`);
    await db.query(`
      UPDATE grants g SET refunded_at = e.created_at
        FROM ledger_entries e
       WHERE e.source = 'order_refund' AND e.order_id IS NOT NULL
         AND g.event_id = 'tally:order:' || e.order_id`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE grants DROP COLUMN refunded_at`);
  }
}
