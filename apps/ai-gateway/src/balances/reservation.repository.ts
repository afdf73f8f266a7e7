import { Injectable } from '@nestjs/common';
import type { Statement } from '@tally/platform';
import type { EntityManager } from 'typeorm';
import { keyFiguresQuery, keyRefusalSql } from '../api-keys/key-figures.sql';
import type { KeyLimitHit, KeyStanding } from '../api-keys/key-refusal';
import { spendableQuery } from './balance-view.repository';

/** The API key a reservation is made through, checked against its limits in the same statement. */
export interface KeyReservation {
  id: string;
  /** The instant the key's period and minute are read at. */
  now: Date;
  /** The call's token estimate (counted against tpm when it starts). */
  tokens: number;
  /** A call that starts (counted against rpm, tpm and max_parallel), not a stream growing. */
  opening: boolean;
}

export type ReservationVerdict =
  | { refusal: null; minute?: Date }
  | { refusal: 'balance' }
  | { refusal: KeyLimitHit; key: KeyStanding };

/** Credits set aside for calls in flight; each lapses at expires_at if its call never ends. */
@Injectable()
export class ReservationRepository {
  /**
   * Sets the reservation to `amount` (a new one, or a running stream's, grown) if the key's
   * limits allow it and the user can cover it (a free call, amount 0, needs no credits); its one
   * row names the first limit in the way (see `verdictOf`). A call that starts is counted in its
   * key's minute. To run after the lock of `BalanceViewRepository.lockForReservation` (the key's
   * user's: one key's decisions queue with its user's), as a statement of its own
   * (`inOneRoundTrip`), so that it sees every reservation and charge committed before the lock.
   */
  putIfCovered(
    reservation: { id: string; user_id: string; amount: number; ttlMs: number },
    key?: KeyReservation,
  ): Statement {
    return {
      name: 'reservation_put',
      text: `WITH s AS (${spendableQuery('$2::text', '$1::uuid')}),
              k AS (${keyFiguresQuery('$5', '$6', '$1')}),
              verdict AS (
                SELECT COALESCE(
                         ${keyRefusalSql('k', '$3::bigint', '$7::bigint', '$8::boolean', '$6')},
                         CASE WHEN $3::bigint = 0 OR (NOT s.blocked AND
                                   s.balance - s.held - s.unreflected - s.reserved >= $3::bigint)
                              THEN NULL ELSE 'balance' END) AS refusal,
                       k.*
                  FROM (SELECT 1) one LEFT JOIN s ON true LEFT JOIN k ON true),
              put AS (
                INSERT INTO reservations (id, user_id, amount, expires_at, api_key_id)
                SELECT $1::uuid, $2::text, $3::bigint, now() + $4 * interval '1 millisecond',
                       $5::uuid
                  FROM verdict WHERE refusal IS NULL
                ON CONFLICT (id) DO UPDATE
                   SET amount = EXCLUDED.amount, expires_at = EXCLUDED.expires_at),
              counted AS (
                INSERT INTO key_minutes (api_key_id, minute, requests, tokens)
                SELECT v.id, v.minute, 1, $7::bigint FROM verdict v
                 WHERE v.refusal IS NULL AND v.id IS NOT NULL AND $8::boolean
                ON CONFLICT (api_key_id, minute) DO UPDATE
                   SET requests = key_minutes.requests + 1,
                       tokens = key_minutes.tokens + EXCLUDED.tokens)
         SELECT * FROM verdict`,
      values: [
        reservation.id,
        reservation.user_id,
        reservation.amount,
        reservation.ttlMs,
        key?.id ?? null,
        (key?.now ?? new Date()).toISOString(),
        key?.tokens ?? 0,
        key?.opening ?? false,
      ],
    };
  }

  /** What the rows of `putIfCovered` decided. */
  verdictOf(rows: unknown[]): ReservationVerdict {
    const [row] = rows as (KeyStanding & {
      refusal: ReservationVerdict['refusal'];
      id: string | null;
    })[];
    if (row.refusal === null) return { refusal: null, minute: row.id ? row.minute : undefined };
    if (row.refusal === 'balance') return { refusal: 'balance' };
    return { refusal: row.refusal, key: row };
  }

  /** The credits key `keyId` has left in its budget period (undefined: it has no budget). */
  async keyBudgetLeft(db: EntityManager, keyId: string, now: Date): Promise<bigint | undefined> {
    const [k]: { budget_credits: string | null; spent: string; reserved: string }[] =
      await db.query(keyFiguresQuery('$1', '$2', '$3'), [keyId, now.toISOString(), null]);
    if (!k || k.budget_credits === null) return undefined;
    return BigInt(k.budget_credits) - BigInt(k.spent) - BigInt(k.reserved);
  }

  async renew(db: EntityManager, id: string, ttlMs: number): Promise<boolean> {
    const [, updated]: [unknown, number] = await db.query(
      `UPDATE reservations SET expires_at = now() + $2 * interval '1 millisecond' WHERE id = $1`,
      [id, ttlMs],
    );
    return updated === 1;
  }

  async release(db: EntityManager, id: string): Promise<void> {
    await db.query(`DELETE FROM reservations WHERE id = $1`, [id]);
  }

  /** Deletes up to `limit` reservations that lapsed (their calls crashed); they count for nothing. */
  async purgeLapsed(db: EntityManager, limit: number): Promise<number> {
    const rows: unknown[] = await db.query(
      `WITH lapsed AS (SELECT id FROM reservations WHERE expires_at < now() LIMIT $1),
            purged AS (DELETE FROM reservations r USING lapsed WHERE r.id = lapsed.id RETURNING 1)
       SELECT * FROM purged`,
      [limit],
    );
    return rows.length;
  }
}
