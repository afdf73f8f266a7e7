import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddChargeSequence1764028800000 implements MigrationInterface {
  name = 'AddChargeSequence1764028800000';

  async up(db: QueryRunner): Promise<void> {
    // The highest producer sequence of the account's charges taken in; snapshots carry it so the
    // gateway's balance guard knows which of its own charges a snapshot already includes.
    await db.query(
      `ALTER TABLE accounts ADD COLUMN charge_sequence bigint NOT NULL DEFAULT 0
         CHECK (charge_sequence >= 0)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE accounts DROP COLUMN charge_sequence`);
  }
}
