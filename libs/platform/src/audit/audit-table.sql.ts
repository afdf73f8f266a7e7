/**
 * The columns of an audit record, as both apps' audit tables have them (each app's migration adds
 * its own: the gateway's `relayed_at`, the credit-store's chain). One text, so that a record
 * relayed from one table to the other fits it column for column.
 */
export const AUDIT_RECORD_COLUMNS_DDL = `
  id          text PRIMARY KEY,
  at          timestamptz NOT NULL,
  app         text NOT NULL,
  actor_id    text NOT NULL,
  actor_name  text NOT NULL,
  actor_role  text NOT NULL,
  action      text NOT NULL,
  target_type text NOT NULL,
  target_id   text,
  request_id  text,
  outcome     text NOT NULL CHECK (outcome IN ('ok', 'denied', 'error')),
  status      integer NOT NULL,
  before      jsonb,
  after       jsonb`;

/**
 * SHA-256 over the previous record's hash and the record's canonical fields: a JSON array of
 * them in a fixed order (`at` in UTC with microseconds, what PostgreSQL keeps; before/after as
 * jsonb, whose text form is canonical). The one definition of an audit record's hash: the insert
 * trigger chains with it and GET /finance/verify recomputes with it.
 */
export const AUDIT_RECORD_HASH_FUNCTION = `
  CREATE FUNCTION audit_record_hash(prev bytea, r audit_records) RETURNS bytea
  LANGUAGE sql STABLE AS $$
    SELECT sha256(prev || convert_to(jsonb_build_array(
      r.id, to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), r.app,
      r.actor_id, r.actor_name, r.actor_role, r.action, r.target_type, r.target_id,
      r.request_id, r.outcome, r.status, r.before, r.after)::text, 'UTF8'))
  $$`;
