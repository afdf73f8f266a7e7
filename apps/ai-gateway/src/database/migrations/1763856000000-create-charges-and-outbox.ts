import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateChargesAndOutbox1763856000000 implements MigrationInterface {
  name = 'CreateChargesAndOutbox1763856000000';

  async up(db: QueryRunner): Promise<void> {
    // The gateway's own record of every charge it accepted; event_id is the caller's idempotency key.
    await db.query(`
      CREATE TABLE charges (
        event_id            text PRIMARY KEY,
        user_id             text NOT NULL,
        source              text NOT NULL,
        source_ref_id       text,
        hold_id             text,
        amount              bigint NOT NULL CHECK (amount >= 0),
        description         text,
        metadata            jsonb,
        pricing             jsonb NOT NULL,
        request_fingerprint text NOT NULL,
        created_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX charges_user_created_idx ON charges (user_id, created_at)`);

    // Transactional outbox (Debezium's shape: the message key is the aggregate id, here user_id).
    // key_bucket partitions the keys so that relays can own disjoint sets of users (per-user order).
    await db.query(`
      CREATE TABLE outbox (
        id            bigserial PRIMARY KEY,
        event_id      text NOT NULL UNIQUE,
        topic         text NOT NULL,
        message_key   text NOT NULL,
        key_bucket    smallint NOT NULL,
        event_type    text NOT NULL,
        payload       jsonb NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        published_at  timestamptz,
        attempts      integer NOT NULL DEFAULT 0,
        last_error    text
      )`);
    await db.query(
      `CREATE INDEX outbox_unpublished_idx ON outbox (key_bucket, id) WHERE published_at IS NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE outbox`);
    await db.query(`DROP TABLE charges`);
  }
}
