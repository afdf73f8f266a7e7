import type { AuditRow } from './audit.repository';

export function auditRecordView(row: AuditRow) {
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

/** Opaque: the (at, id) of a page's last record. */
export function encodeAuditCursor(row: AuditRow): string {
  return Buffer.from(`a:${row.at.toISOString()}|${row.id}`).toString('base64url');
}

export function decodeAuditCursor(cursor: string): { at: Date; id: string } | undefined {
  const match = /^a:(\d{4}-\d\d-\d\dT[\d:.]+Z)\|([\w-]{1,64})$/.exec(
    Buffer.from(cursor, 'base64url').toString(),
  );
  return match ? { at: new Date(match[1]), id: match[2] } : undefined;
}
