import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface AuditRow {
  id: string;
  at: Date;
  app: string;
  actor_id: string;
  actor_name: string;
  actor_role: string;
  action: string;
  target_type: string;
  target_id: string | null;
  request_id: string | null;
  outcome: string;
  status: number;
  before: unknown;
  after: unknown;
}

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
      `SELECT id, at, app, actor_id, actor_name, actor_role, action, target_type, target_id,
              request_id, outcome, status, before, after
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
}
