import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Auto top-up: an account's setting (PUT /accounts/{id}/auto-topup) and the orders it makes. At
 * most one open (pending or paid) auto top-up order per account, by the partial unique index,
 * whatever the code does; the monthly cap counts an account's paid ones by paid_at.
 * `limit_reached_month` marks the UTC month whose auto_topup.limit_reached went out.
 */
export class CreateAutoTopups1796600400000 implements MigrationInterface {
  name = 'CreateAutoTopups1796600400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE auto_topups (
        user_id              text PRIMARY KEY,
        threshold            bigint NOT NULL CHECK (threshold >= 0),
        product_id           bigint NOT NULL REFERENCES products (id),
        max_per_month        integer NOT NULL CHECK (max_per_month > 0),
        limit_reached_month  date,
        updated_at           timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`ALTER TABLE orders ADD COLUMN auto_topup boolean NOT NULL DEFAULT false`);
    await db.query(
      `CREATE UNIQUE INDEX orders_one_open_auto_topup ON orders (user_id)
        WHERE auto_topup AND status IN ('pending', 'paid')`,
    );
    await db.query(
      `CREATE INDEX orders_auto_topup_paid_idx ON orders (user_id, paid_at) WHERE auto_topup`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX orders_auto_topup_paid_idx`);
    await db.query(`DROP INDEX orders_one_open_auto_topup`);
    await db.query(`ALTER TABLE orders DROP COLUMN auto_topup`);
    await db.query(`DROP TABLE auto_topups`);
  }
}
