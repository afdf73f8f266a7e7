import type { AuditRow } from '@tally/platform';

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
