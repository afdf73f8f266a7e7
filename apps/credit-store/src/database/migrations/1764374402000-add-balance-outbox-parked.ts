import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddBalanceOutboxParked1764374402000 implements MigrationInterface {
  name = 'AddBalanceOutboxParked1764374402000';

  async up(db: QueryRunner): Promise<void> {
    // A snapshot the broker can never take is set aside with the reason, so that it does not
    // stop the other accounts' snapshots; the account's next change tries again.
    await db.query(
      `ALTER TABLE balance_outbox ADD COLUMN parked_at timestamptz, ADD COLUMN parked_reason text`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE balance_outbox DROP COLUMN parked_at, DROP COLUMN parked_reason`);
  }
}
