import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProductsOrders1763942500000 implements MigrationInterface {
  name = 'CreateProductsOrders1763942500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE products (
        id                   bigserial PRIMARY KEY,
        sku                  text NOT NULL UNIQUE,
        name                 text NOT NULL,
        credit_amount        bigint NOT NULL CHECK (credit_amount > 0),
        price_cent           bigint NOT NULL CHECK (price_cent >= 0),
        original_price_cent  bigint CHECK (original_price_cent >= 0),
        currency             text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        badge                text,
        status               text NOT NULL CHECK (status IN ('active', 'inactive')),
        sort_order           integer NOT NULL DEFAULT 0,
        created_at           timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now()
      )`);

    // An order keeps the product as it was when ordered, whatever happens to the product later.
    await db.query(`
      CREATE TABLE orders (
        order_id         text PRIMARY KEY,
        user_id          text NOT NULL,
        product_id       bigint NOT NULL REFERENCES products (id),
        product          jsonb NOT NULL,
        quantity         integer NOT NULL CHECK (quantity > 0),
        credit_amount    bigint NOT NULL CHECK (credit_amount > 0),
        amount_cent      bigint NOT NULL CHECK (amount_cent >= 0),
        currency         text NOT NULL,
        status           text NOT NULL CHECK (status IN ('pending', 'paid', 'credited', 'cancelled')),
        payment_ref      text,
        ledger_event_id  text UNIQUE REFERENCES ledger_entries (event_id),
        created_at       timestamptz NOT NULL DEFAULT now(),
        paid_at          timestamptz,
        credited_at      timestamptz,
        cancelled_at     timestamptz,
        CONSTRAINT orders_credited CHECK ((status = 'credited') = (ledger_event_id IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX orders_user_idx ON orders (user_id, created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE orders`);
    await db.query(`DROP TABLE products`);
  }
}
