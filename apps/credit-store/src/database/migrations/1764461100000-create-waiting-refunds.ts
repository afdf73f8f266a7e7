import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateWaitingRefunds1764461100000 implements MigrationInterface {
  name = 'CreateWaitingRefunds1764461100000';

  async up(db: QueryRunner): Promise<void> {
    // Refunds that reached the ledger before their charge: set aside with their message (so they
    // can still be dead-lettered as they came) while their partition goes on.
    await db.query(`
      CREATE TABLE waiting_refunds (
        event_id      text PRIMARY KEY,
        user_id       text NOT NULL,
        refund_of     text NOT NULL,
        topic         text NOT NULL,
        partition     integer NOT NULL,
        "offset"      text NOT NULL,
        message_key   bytea,
        value         bytea NOT NULL,
        headers       jsonb NOT NULL,
        first_seen_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX waiting_refunds_refund_of_idx ON waiting_refunds (refund_of)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE waiting_refunds`);
  }
}
