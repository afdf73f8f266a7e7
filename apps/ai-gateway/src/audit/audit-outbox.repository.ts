import { Injectable } from '@nestjs/common';
import type { AuditRecord, Role } from '@tally/platform';
import type { EntityManager } from 'typeorm';

interface Row {
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
  outcome: AuditRecord['outcome'];
  status: number;
  before: unknown;
  after: unknown;
}

/** The gateway's audit records not yet handed to the credit-store's trail. */
@Injectable()
export class AuditOutboxRepository {
  /** The oldest unrelayed records, locked so that one replica relays each. */
  async claim(db: EntityManager, limit: number): Promise<AuditRecord[]> {
    const rows: Row[] = await db.query(
      `SELECT id, at, app, actor_id, actor_name, actor_role, action, target_type, target_id,
              request_id, outcome, status, before, after
         FROM audit_records WHERE relayed_at IS NULL
        ORDER BY at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      app: r.app,
      actor: { id: r.actor_id, name: r.actor_name, role: r.actor_role },
      action: r.action,
      target: { type: r.target_type, id: r.target_id },
      request_id: r.request_id,
      outcome: r.outcome,
      status: r.status,
      before: r.before,
      after: r.after,
    }));
  }

  async markRelayed(db: EntityManager, ids: string[]): Promise<void> {
    await db.query(`UPDATE audit_records SET relayed_at = now() WHERE id = ANY($1)`, [ids]);
  }
}
