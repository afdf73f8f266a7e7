import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddOutboxParked1764374401000 implements MigrationInterface {
  name = 'AddOutboxParked1764374401000';

  async up(db: QueryRunner): Promise<void> {
    // A row the broker can never take (too large, invalid) is set aside with the reason instead
    // of being tried again every cycle ahead of the rows behind it. It stays unpublished (the
    // pruner keeps it) until an operator deals with it.
    await db.query(
      `ALTER TABLE outbox ADD COLUMN parked_at timestamptz, ADD COLUMN parked_reason text`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox DROP COLUMN parked_at, DROP COLUMN parked_reason`);
  }
}
