import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRefunds1764460800000 implements MigrationInterface {
  name = 'CreateRefunds1764460800000';

  async up(db: QueryRunner): Promise<void> {
    // The gateway's record of every refund it accepted, beside the charge it gives back: the sum
    // per charge is checked under the charge row's lock before the refund's message is queued.
    await db.query(`
      CREATE TABLE refunds (
        event_id            text PRIMARY KEY,
        refund_of           text NOT NULL REFERENCES charges (event_id),
        user_id             text NOT NULL,
        amount              bigint NOT NULL CHECK (amount > 0),
        reason              text,
        metadata            jsonb,
        request_fingerprint text NOT NULL,
        created_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX refunds_refund_of_idx ON refunds (refund_of)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE refunds`);
  }
}
