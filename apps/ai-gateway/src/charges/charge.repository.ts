import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ChargePricing } from '@tally/contracts';

export interface ChargeRecord {
  event_id: string;
  user_id: string;
  source: string;
  source_ref_id?: string;
  hold_id?: string;
  amount: number;
  description?: string;
  metadata?: Record<string, unknown>;
  pricing: ChargePricing;
  request_fingerprint: string;
  /** The user's charge number in this gateway (see ChargeRequestedPayload.sequence). */
  sequence: number;
}

/** The gateway's `charges` table. Every method takes the caller's transaction. */
@Injectable()
export class ChargeRepository {
  /** Inserts the charge unless its event_id exists; true when this call inserted it. */
  async insertIfAbsent(db: EntityManager, charge: ChargeRecord): Promise<boolean> {
    const rows: unknown[] = await db.query(
      `INSERT INTO charges (event_id, user_id, source, source_ref_id, hold_id, amount, description,
                            metadata, pricing, request_fingerprint, sequence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (event_id) DO NOTHING
       RETURNING event_id`,
      [
        charge.event_id,
        charge.user_id,
        charge.source,
        charge.source_ref_id ?? null,
        charge.hold_id ?? null,
        charge.amount,
        charge.description ?? null,
        charge.metadata ?? null,
        charge.pricing,
        charge.request_fingerprint,
        charge.sequence,
      ],
    );
    return rows.length === 1;
  }

  async findFingerprint(
    db: EntityManager,
    eventId: string,
  ): Promise<{ amount: number; request_fingerprint: string } | undefined> {
    const rows: { amount: string; request_fingerprint: string }[] = await db.query(
      `SELECT amount, request_fingerprint FROM charges WHERE event_id = $1`,
      [eventId],
    );
    return (
      rows[0] && {
        amount: Number(rows[0].amount),
        request_fingerprint: rows[0].request_fingerprint,
      }
    );
  }
}
