import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface RefundRecord {
  event_id: string;
  refund_of: string;
  user_id: string;
  /** What the ledger refunded. */
  amount: number;
  reason?: string;
  metadata?: Record<string, unknown>;
  request_fingerprint: string;
}

/** The gateway's `refunds` table: the refunds the ledger applied for it. */
@Injectable()
export class RefundRepository {
  async chargeUser(db: EntityManager, eventId: string): Promise<string | undefined> {
    const [charge]: { user_id: string }[] = await db.query(
      `SELECT user_id FROM charges WHERE event_id = $1`,
      [eventId],
    );
    return charge?.user_id;
  }

  async findRefund(
    db: EntityManager,
    eventId: string,
  ): Promise<
    Pick<RefundRecord, 'refund_of' | 'user_id' | 'amount' | 'request_fingerprint'> | undefined
  > {
    const [row]: {
      refund_of: string;
      user_id: string;
      amount: string;
      request_fingerprint: string;
    }[] = await db.query(
      `SELECT refund_of, user_id, amount, request_fingerprint FROM refunds WHERE event_id = $1`,
      [eventId],
    );
    return row && { ...row, amount: Number(row.amount) };
  }

  async isCharge(db: EntityManager, eventId: string): Promise<boolean> {
    const rows: unknown[] = await db.query(`SELECT 1 FROM charges WHERE event_id = $1`, [eventId]);
    return rows.length > 0;
  }

  /** False when another request took the event_id first. */
  async insert(db: EntityManager, refund: RefundRecord): Promise<boolean> {
    const rows: unknown[] = await db.query(
      `INSERT INTO refunds (event_id, refund_of, user_id, amount, reason, metadata,
                            request_fingerprint)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (event_id) DO NOTHING
       RETURNING event_id`,
      [
        refund.event_id,
        refund.refund_of,
        refund.user_id,
        refund.amount,
        refund.reason ?? null,
        refund.metadata ? JSON.stringify(refund.metadata) : null,
        refund.request_fingerprint,
      ],
    );
    return rows.length > 0;
  }
}
