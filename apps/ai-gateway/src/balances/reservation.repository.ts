import { Injectable } from '@nestjs/common';
import type { Statement } from '@tally/platform';
import type { EntityManager } from 'typeorm';
import { spendableQuery } from './balance-view.repository';

/** Credits set aside for calls in flight; each lapses at expires_at if its call never ends. */
@Injectable()
export class ReservationRepository {
  /**
   * Sets the reservation to `amount` (a new one, or a running stream's, grown) if the user can
   * cover it; it answers its id then, no row if not. To run after the lock of
   * `BalanceViewRepository.lockForReservation`, as a statement of its own (`inOneRoundTrip`), so
   * that it sees every reservation and charge committed before the lock.
   */
  putIfCovered(reservation: {
    id: string;
    user_id: string;
    amount: number;
    ttlMs: number;
  }): Statement {
    return {
      text: `INSERT INTO reservations (id, user_id, amount, expires_at)
       SELECT $1::uuid, $2::text, $3::bigint, now() + $4 * interval '1 millisecond'
         FROM (${spendableQuery('$2', '$1')}) s
        WHERE NOT s.blocked AND s.balance - s.held - s.unreflected - s.reserved >= $3::bigint
       ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.amount, expires_at = EXCLUDED.expires_at
       RETURNING id`,
      values: [reservation.id, reservation.user_id, reservation.amount, reservation.ttlMs],
    };
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
