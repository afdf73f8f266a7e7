import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Topics, type ChargePricing } from '@tally/contracts';
import { runStatement } from '@tally/platform';
import { queueChargeMessages } from '../outbox/charge-messages.sql';
import { keyBucket } from '../outbox/key-bucket';

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

/** A charge to record with the message that announces it (its sequence is filled in by SQL). */
export type BatchCharge = Omit<ChargeRecord, 'sequence'> & {
  envelope: object;
  /** The HTTP request that made it, kept on the outbox row for the Kafka headers. */
  request_id?: string;
  /** The API key it is charged through: counted in the key's spend of the day. */
  api_key_id?: string;
};

export interface EarlierCharge {
  amount: number;
  request_fingerprint: string;
}

export type BatchOutcome = { inserted: true } | { inserted: false; earlier?: EarlierCharge };

/** The gateway's `charges` table. Every method takes the caller's manager (or transaction). */
@Injectable()
export class ChargeRepository {
  /**
   * Records a group of charges in ONE statement, so in one implicit transaction and one round
   * trip: releases the calls' reservations, numbers each charge with its user's next sequence
   * (balance_view rows upserted in user_id order, so concurrent groups queue instead of
   * deadlocking), inserts the charges whose event_id is new and, for exactly those, their outbox
   * rows with the sequence written into the envelope, and adds them to their API keys' spend of
   * the day. Answers each charge in order: inserted, or
   * the earlier charge under its event_id as this statement's snapshot saw it (undefined when that
   * one committed meanwhile: the caller reads it again). Event ids must be distinct.
   */
  async recordBatch(
    db: EntityManager,
    charges: BatchCharge[],
    releasedReservations: string[],
    /** The UTC day (YYYY-MM-DD) the charges count in for their keys' budgets. */
    spendDay: string,
  ): Promise<BatchOutcome[]> {
    const col = <T>(pick: (c: BatchCharge) => T) => charges.map(pick);
    const rows = await runStatement<{
      inserted: boolean;
      amount: string | null;
      request_fingerprint: string | null;
    }>(db, {
      name: 'charges_record',
      text: `WITH input AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                $6::bigint[], $7::text[], $8::jsonb[], $9::jsonb[], $10::text[],
                                $11::jsonb[], $12::smallint[], $16::text[], $17::uuid[])
                  WITH ORDINALITY AS i (event_id, user_id, source, source_ref_id, hold_id, amount,
                                        description, metadata, pricing, request_fingerprint,
                                        envelope, key_bucket, request_id, api_key_id, ord)),
         released AS (DELETE FROM reservations WHERE id = ANY($13::uuid[])),
         counted AS (SELECT user_id, count(*) AS n FROM input GROUP BY user_id),
         taken AS (
           INSERT INTO balance_view (user_id, charge_sequence)
           SELECT user_id, n FROM counted ORDER BY user_id
           ON CONFLICT (user_id) DO UPDATE
              SET charge_sequence = balance_view.charge_sequence + EXCLUDED.charge_sequence
           RETURNING user_id, charge_sequence AS last),
         numbered AS (
           SELECT i.*, t.last - c.n + row_number() OVER (PARTITION BY i.user_id ORDER BY i.ord)
                    AS sequence
             FROM input i JOIN taken t USING (user_id) JOIN counted c USING (user_id)),
         inserted AS (
           INSERT INTO charges (event_id, user_id, source, source_ref_id, hold_id, amount,
                                description, metadata, pricing, request_fingerprint, sequence)
           SELECT event_id, user_id, source, source_ref_id, hold_id, amount, description,
                  metadata, pricing, request_fingerprint, sequence
             FROM numbered
            -- A refund's event_id is taken too (its message shares the outbox and the ledger).
            WHERE NOT EXISTS (SELECT 1 FROM refunds r WHERE r.event_id = numbered.event_id)
            ORDER BY ord
           ON CONFLICT (event_id) DO NOTHING
           RETURNING event_id),
         key_spent AS (
           INSERT INTO key_spend (api_key_id, day, spent)
           SELECT n.api_key_id, $18::date, sum(n.amount)
             FROM numbered n JOIN inserted USING (event_id)
            WHERE n.api_key_id IS NOT NULL
            GROUP BY n.api_key_id ORDER BY n.api_key_id
           ON CONFLICT (api_key_id, day) DO UPDATE SET spent = key_spend.spent + EXCLUDED.spent),
         queued AS (${queueChargeMessages('$14', '$15')})
       SELECT ins.event_id IS NOT NULL AS inserted, earlier.amount, earlier.request_fingerprint
         FROM numbered n
         LEFT JOIN inserted ins USING (event_id)
         LEFT JOIN charges earlier ON ins.event_id IS NULL AND earlier.event_id = n.event_id
        ORDER BY n.ord`,
      values: [
        col((c) => c.event_id),
        col((c) => c.user_id),
        col((c) => c.source),
        col((c) => c.source_ref_id ?? null),
        col((c) => c.hold_id ?? null),
        col((c) => c.amount),
        col((c) => c.description ?? null),
        col((c) => (c.metadata ? JSON.stringify(c.metadata) : null)),
        col((c) => JSON.stringify(c.pricing)),
        col((c) => c.request_fingerprint),
        col((c) => JSON.stringify(c.envelope)),
        col((c) => keyBucket(c.user_id)),
        releasedReservations,
        Topics.chargeRequested,
        Topics.chargeRequested,
        col((c) => c.request_id ?? null),
        col((c) => c.api_key_id ?? null),
        spendDay,
      ],
    });
    return rows.map((row) =>
      row.inserted
        ? { inserted: true }
        : {
            inserted: false,
            earlier:
              row.request_fingerprint === null
                ? undefined
                : { amount: Number(row.amount), request_fingerprint: row.request_fingerprint },
          },
    );
  }

  /** Earlier charges under these event_ids; a refund's answers as a different request. */
  async findFingerprints(
    db: EntityManager,
    eventIds: string[],
  ): Promise<Map<string, EarlierCharge>> {
    const rows: { event_id: string; amount: string; request_fingerprint: string }[] =
      await db.query(
        `SELECT event_id, amount, request_fingerprint FROM charges WHERE event_id = ANY($1::text[])
         UNION ALL
         SELECT event_id, amount, 'refund' FROM refunds WHERE event_id = ANY($1::text[])`,
        [eventIds],
      );
    return new Map(
      rows.map((row) => [
        row.event_id,
        { amount: Number(row.amount), request_fingerprint: row.request_fingerprint },
      ]),
    );
  }
}
