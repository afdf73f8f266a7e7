import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddBalanceViewExpiring1764374400000 implements MigrationInterface {
  name = 'AddBalanceViewExpiring1764374400000';

  async up(db: QueryRunner): Promise<void> {
    // The snapshot's grant expiries ([{ at, amount }]): the guard stops counting credits the
    // moment they are due, not when the credit-store's job writes them off.
    await db.query(`ALTER TABLE balance_view ADD COLUMN expiring jsonb NOT NULL DEFAULT '[]'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE balance_view DROP COLUMN expiring`);
  }
}
