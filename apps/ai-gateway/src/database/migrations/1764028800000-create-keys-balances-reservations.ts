import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateKeysBalancesReservations1764028800000 implements MigrationInterface {
  name = 'CreateKeysBalancesReservations1764028800000';

  async up(db: QueryRunner): Promise<void> {
    // Client API keys: only a SHA-256 of the secret is kept (the secret is 192 random bits, so a
    // slow hash would add nothing); the prefix lets people tell their keys apart.
    await db.query(`
      CREATE TABLE api_keys (
        id          uuid PRIMARY KEY,
        user_id     text NOT NULL,
        name        text,
        prefix      text NOT NULL,
        key_hash    bytea NOT NULL UNIQUE,
        created_at  timestamptz NOT NULL DEFAULT now(),
        revoked_at  timestamptz
      )`);
    await db.query(`CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at)`);

    // The balance guard's view of each user: the latest credit-store snapshot, plus the count of
    // this gateway's own charges (charge_sequence) so that those the snapshot does not include yet
    // (charges.sequence > reflected_sequence) can be subtracted. The row is also the lock that
    // serialises one user's guard decisions across replicas.
    await db.query(`
      CREATE TABLE balance_view (
        user_id             text PRIMARY KEY,
        balance             bigint NOT NULL DEFAULT 0,
        held                bigint NOT NULL DEFAULT 0,
        blocked             boolean NOT NULL DEFAULT true,
        snapshot_version    bigint NOT NULL DEFAULT 0,
        reflected_sequence  bigint NOT NULL DEFAULT 0,
        charge_sequence     bigint NOT NULL DEFAULT 0,
        snapshot_at         timestamptz
      )`);

    // Credits set aside for calls in flight; a crashed call's reservation lapses by itself.
    await db.query(`
      CREATE TABLE reservations (
        id          uuid PRIMARY KEY,
        user_id     text NOT NULL,
        amount      bigint NOT NULL CHECK (amount > 0),
        expires_at  timestamptz NOT NULL
      )`);
    await db.query(`CREATE INDEX reservations_user_idx ON reservations (user_id, expires_at)`);

    await db.query(`ALTER TABLE charges ADD COLUMN sequence bigint`);
    await db.query(
      `CREATE INDEX charges_user_sequence_idx ON charges (user_id, sequence) INCLUDE (amount)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX charges_user_sequence_idx`);
    await db.query(`ALTER TABLE charges DROP COLUMN sequence`);
    await db.query(`DROP TABLE reservations`);
    await db.query(`DROP TABLE balance_view`);
    await db.query(`DROP TABLE api_keys`);
  }
}
