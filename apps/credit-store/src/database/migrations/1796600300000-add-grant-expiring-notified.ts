import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `grant.expiring` goes out once per grant: the expiry job sets `expiring_notified_at` in the
 * transaction that writes the event, under the account's lock. Not indexed: an indexed column
 * would make every charge's update of `remaining` miss HOT (see GrantsHotUpdates1764288000000);
 * the job finds its grants by grants_due_idx (expires_at, spendable).
 */
export class AddGrantExpiringNotified1796600300000 implements MigrationInterface {
  name = 'AddGrantExpiringNotified1796600300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE grants ADD COLUMN expiring_notified_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE grants DROP COLUMN expiring_notified_at`);
  }
}
