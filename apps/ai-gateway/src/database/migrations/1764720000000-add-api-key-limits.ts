import { MigrationInterface, QueryRunner } from 'typeorm';

export class AddApiKeyLimits1764720000000 implements MigrationInterface {
  name = 'AddApiKeyLimits1764720000000';

  async up(db: QueryRunner): Promise<void> {
    // A key's limits, all optional (NULL: no limit). Read by every reservation decision.
    await db.query(`
      ALTER TABLE api_keys
        ADD COLUMN budget_credits bigint,
        ADD COLUMN budget_period  text CHECK (budget_period IN ('day', 'week', 'month', 'total')),
        ADD COLUMN rpm            integer,
        ADD COLUMN tpm            bigint,
        ADD COLUMN max_parallel   integer,
        ADD COLUMN models         text[],
        ADD COLUMN expires_at     timestamptz,
        ADD CONSTRAINT api_keys_budget_whole
          CHECK ((budget_credits IS NULL) = (budget_period IS NULL))`);

    // A call's reservation names its key: the key's in-flight credits and calls are counted from
    // them, so they are released, settled and lapse exactly as the balance guard's. A call on a
    // key with limits is reserved even when free (amount 0), to count as in flight.
    await db.query(`ALTER TABLE reservations ADD COLUMN api_key_id uuid`);
    await db.query(`ALTER TABLE reservations DROP CONSTRAINT reservations_amount_check`);
    await db.query(`ALTER TABLE reservations ADD CONSTRAINT reservations_amount_check
                      CHECK (amount >= 0)`);
    await db.query(`CREATE INDEX reservations_key_idx ON reservations (api_key_id, expires_at)
                     WHERE api_key_id IS NOT NULL`);

    // Credits charged through each key, by UTC day (a period's spend is the sum of its days).
    // Written in the statement that records the charge, so it is exactly what was charged.
    await db.query(`
      CREATE TABLE key_spend (
        api_key_id  uuid NOT NULL,
        day         date NOT NULL,
        spent       bigint NOT NULL,
        PRIMARY KEY (api_key_id, day)
      )`);

    // Fixed-window counters of requests and tokens per key and UTC minute (rpm, tpm).
    await db.query(`
      CREATE TABLE key_minutes (
        api_key_id  uuid NOT NULL,
        minute      timestamptz NOT NULL,
        requests    integer NOT NULL,
        tokens      bigint NOT NULL,
        PRIMARY KEY (api_key_id, minute)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE key_minutes`);
    await db.query(`DROP TABLE key_spend`);
    await db.query(`DROP INDEX reservations_key_idx`);
    await db.query(`DELETE FROM reservations WHERE amount = 0`);
    await db.query(`ALTER TABLE reservations DROP CONSTRAINT reservations_amount_check`);
    await db.query(`ALTER TABLE reservations ADD CONSTRAINT reservations_amount_check
                      CHECK (amount > 0)`);
    await db.query(`ALTER TABLE reservations DROP COLUMN api_key_id`);
    await db.query(`
      ALTER TABLE api_keys DROP CONSTRAINT api_keys_budget_whole,
        DROP COLUMN budget_credits, DROP COLUMN budget_period, DROP COLUMN rpm, DROP COLUMN tpm,
        DROP COLUMN max_parallel, DROP COLUMN models, DROP COLUMN expires_at`);
  }
}
