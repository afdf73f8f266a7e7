import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks: endpoints (their signing secrets kept as issued: signing needs the raw key), one
 * delivery per (event, endpoint) — the unique key the fan-out leans on — queued by
 * `next_attempt_at`, and every attempt of each. `account_events.webhooks_at` marks the events
 * already fanned out; the ones written before this migration had no endpoint to go to.
 */
export class CreateWebhooks1796600500000 implements MigrationInterface {
  name = 'CreateWebhooks1796600500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE account_events ADD COLUMN webhooks_at timestamptz`);
    await db.query(`UPDATE account_events SET webhooks_at = now()`);
    await db.query(`
      CREATE INDEX account_events_webhooks_pending_idx ON account_events (occurred_at)
        WHERE webhooks_at IS NULL`);
    await db.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        url text NOT NULL,
        events text[] NOT NULL,
        description text,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_until timestamptz,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now())`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        id bigserial PRIMARY KEY,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        body text NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        tries integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (event_id, endpoint_id))`);
    await db.query(`
      CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
        WHERE status = 'pending'`);
    await db.query(
      `CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (endpoint_id, id)`,
    );
    await db.query(`
      CREATE TABLE webhook_attempts (
        id bigserial PRIMARY KEY,
        delivery_id bigint NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        status_code integer,
        error text,
        duration_ms integer NOT NULL)`);
    await db.query(
      `CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE webhook_attempts`);
    await db.query(`DROP TABLE webhook_deliveries`);
    await db.query(`DROP TABLE webhook_endpoints`);
    await db.query(`ALTER TABLE account_events DROP COLUMN webhooks_at`);
  }
}
