import { Injectable } from '@nestjs/common';
import { REFUND_REQUESTED_EVENT_TYPE, Topics } from '@tally/contracts';
import type { EntityManager } from 'typeorm';
import { keyBucket } from '../outbox/key-bucket';

export interface RefundedCharge {
  user_id: string;
  amount: number;
  /** What the gateway has accepted to refund of it so far. */
  refunded: number;
}

export interface RefundRecord {
  event_id: string;
  refund_of: string;
  user_id: string;
  amount: number;
  reason?: string;
  metadata?: Record<string, unknown>;
  request_fingerprint: string;
}

/** The gateway's `refunds` table. Every method takes the caller's transaction. */
@Injectable()
export class RefundRepository {
  /** Locks the charge (refunds of one charge queue here) and sums what was refunded of it. */
  async lockCharge(db: EntityManager, eventId: string): Promise<RefundedCharge | undefined> {
    const [charge]: { user_id: string; amount: string }[] = await db.query(
      `SELECT user_id, amount FROM charges WHERE event_id = $1 FOR UPDATE`,
      [eventId],
    );
    if (!charge) return undefined;
    const [sum]: { refunded: string }[] = await db.query(
      `SELECT COALESCE(SUM(amount), 0) AS refunded FROM refunds WHERE refund_of = $1`,
      [eventId],
    );
    return {
      user_id: charge.user_id,
      amount: Number(charge.amount),
      refunded: Number(sum.refunded),
    };
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

  /**
   * The refund and its message in one statement: keyed by the user like the charges, on the
   * charges' topic, so the relay sends it after its charge and it lands behind it. False when
   * another transaction took the event_id first.
   */
  async insertWithMessage(
    db: EntityManager,
    refund: RefundRecord,
    envelope: object,
    requestId: string | undefined,
  ): Promise<boolean> {
    const rows: unknown[] = await db.query(
      `WITH inserted AS (
         INSERT INTO refunds (event_id, refund_of, user_id, amount, reason, metadata,
                              request_fingerprint)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (event_id) DO NOTHING
         RETURNING event_id),
       queued AS (
         INSERT INTO outbox (event_id, topic, message_key, key_bucket, event_type, payload,
                             request_id)
         SELECT event_id, $8, $3, $9, $10, $11, $12 FROM inserted)
       SELECT event_id FROM inserted`,
      [
        refund.event_id,
        refund.refund_of,
        refund.user_id,
        refund.amount,
        refund.reason ?? null,
        refund.metadata ? JSON.stringify(refund.metadata) : null,
        refund.request_fingerprint,
        Topics.chargeRequested,
        keyBucket(refund.user_id),
        REFUND_REQUESTED_EVENT_TYPE,
        JSON.stringify(envelope),
        requestId ?? null,
      ],
    );
    return rows.length > 0;
  }
}
