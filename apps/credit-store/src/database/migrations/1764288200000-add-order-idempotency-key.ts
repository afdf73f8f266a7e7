import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `POST /orders` may carry an `Idempotency-Key`: a client that retries after a timeout gets the
 * order it already created instead of a second pending one. Keys are the user's own namespace.
 */
export class AddOrderIdempotencyKey1764288200000 implements MigrationInterface {
  name = 'AddOrderIdempotencyKey1764288200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE orders ADD COLUMN idempotency_key text`);
    await db.query(
      `CREATE UNIQUE INDEX orders_idempotency_idx ON orders (user_id, idempotency_key)
         WHERE idempotency_key IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX orders_idempotency_idx`);
    await db.query(`ALTER TABLE orders DROP COLUMN idempotency_key`);
  }
}
