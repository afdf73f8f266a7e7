import type { Role } from '../auth/roles';

export type AuditOutcome = 'ok' | 'denied' | 'error';

/** One line of the audit trail: who did what to which thing, through which request, and how it ended. */
export interface AuditRecord {
  id: string;
  at: string;
  /** The app the request reached: `credit-store` or `ai-gateway`. */
  app: string;
  actor: { id: string; name: string; role: Role };
  action: string;
  target: { type: string; id: string | null };
  request_id: string | null;
  outcome: AuditOutcome;
  status: number;
  before: unknown;
  after: unknown;
}

/**
 * The record a request that changes something owes, kept on its scope until a transaction of the
 * request commits it (`written`: inserted in a transaction not yet committed; `committed`: done).
 */
export interface PendingAudit {
  record: Omit<AuditRecord, 'outcome'>;
  state: 'pending' | 'written' | 'committed';
  /** The transaction under way changed nothing: its commit writes no record (AuditTrail.nothingChanged). */
  skipCommit?: boolean;
}

/** The table both apps keep their records in (the gateway's is relayed to the credit-store's). */
export const AUDIT_TABLE = 'audit_records';

/** A record as both apps' audit tables hold it. */
export interface AuditRow {
  id: string;
  at: Date;
  app: string;
  actor_id: string;
  actor_name: string;
  actor_role: Role;
  action: string;
  target_type: string;
  target_id: string | null;
  request_id: string | null;
  outcome: AuditOutcome;
  status: number;
  before: unknown;
  after: unknown;
}

/** The columns of an AuditRow, for the SELECTs that read one. */
export const AUDIT_COLUMNS = `id, at, app, actor_id, actor_name, actor_role, action, target_type,
  target_id, request_id, outcome, status, before, after`;

export function auditRecordOf(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    at: row.at.toISOString(),
    app: row.app,
    actor: { id: row.actor_id, name: row.actor_name, role: row.actor_role },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    request_id: row.request_id,
    outcome: row.outcome,
    status: row.status,
    before: row.before,
    after: row.after,
  };
}

/** The INSERT of one record; `ON CONFLICT DO NOTHING` so a relayed record may arrive twice. */
export function auditInsert(record: AuditRecord): [string, unknown[]] {
  return [
    `INSERT INTO ${AUDIT_TABLE}
       (id, at, app, actor_id, actor_name, actor_role, action, target_type, target_id, request_id,
        outcome, status, before, after)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (id) DO NOTHING`,
    [
      record.id,
      record.at,
      record.app,
      record.actor.id,
      record.actor.name,
      record.actor.role,
      record.action,
      record.target.type,
      record.target.id,
      record.request_id,
      record.outcome,
      record.status,
      record.before === undefined ? null : JSON.stringify(record.before),
      record.after === undefined ? null : JSON.stringify(record.after),
    ],
  ];
}
