import { Injectable } from '@nestjs/common';
import { AUDIT_COLUMNS, AuditRecord, auditRecordOf, AuditRow } from '@tally/platform';
import type { EntityManager } from 'typeorm';

/** The gateway's audit records not yet published to `audit.records`. */
@Injectable()
export class AuditOutboxRepository {
  /** The oldest unrelayed records, locked so that one replica relays each. */
  async claim(db: EntityManager, limit: number): Promise<AuditRecord[]> {
    const rows: AuditRow[] = await db.query(
      `SELECT ${AUDIT_COLUMNS} FROM audit_records WHERE relayed_at IS NULL
        ORDER BY at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map(auditRecordOf);
  }

  async markRelayed(db: EntityManager, ids: string[]): Promise<void> {
    await db.query(`UPDATE audit_records SET relayed_at = now() WHERE id = ANY($1)`, [ids]);
  }
}
