import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddOutboxRequestId1764201600000 implements MigrationInterface {
  name = 'AddOutboxRequestId1764201600000';

  async up(db: QueryRunner): Promise<void> {
    // The HTTP request that produced the message, sent on as a Kafka header: one charge can be
    // followed from the gateway's log line to the ledger entry.
    await db.query(`ALTER TABLE outbox ADD COLUMN request_id text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox DROP COLUMN request_id`);
  }
}
