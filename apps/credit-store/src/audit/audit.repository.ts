import { Injectable } from '@nestjs/common';
import { AUDIT_COLUMNS, AuditRecord, auditInsert, AuditRow } from '@tally/platform';
import type { EntityManager } from 'typeorm';

export type { AuditRow };

export interface AuditFilter {
  actor?: string;
  action?: string;
  target_id?: string;
  from?: Date;
  to?: Date;
  /** The last record of the previous page (newest first: the next page is older). */
  before?: { at: Date; id: string };
}

@Injectable()
export class AuditRepository {
  /** Newest first, keyset-paginated by (at, id). */
  page(db: EntityManager, filter: AuditFilter, limit: number): Promise<AuditRow[]> {
    return db.query(
      `SELECT ${AUDIT_COLUMNS}
         FROM audit_records
        WHERE ($1::text IS NULL OR actor_id = $1 OR actor_name = $1)
          AND ($2::text IS NULL OR action = $2)
          AND ($3::text IS NULL OR target_id = $3)
          AND ($4::timestamptz IS NULL OR at >= $4)
          AND ($5::timestamptz IS NULL OR at < $5)
          AND ($6::timestamptz IS NULL OR (at, id) < ($6, $7::text))
        ORDER BY at DESC, id DESC
        LIMIT $8`,
      [
        filter.actor ?? null,
        filter.action ?? null,
        filter.target_id ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.before?.at ?? null,
        filter.before?.id ?? null,
        limit,
      ],
    );
  }

  /** Keeps records, each once by its id (one already kept is left as it is). */
  async insert(db: EntityManager, records: AuditRecord[]): Promise<void> {
    for (const record of records) {
      const [sql, params] = auditInsert(record);
      await db.query(sql, params);
    }
  }
}
