import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Credits set aside for calls in flight; each lapses at expires_at if its call never ends. */
@Injectable()
export class ReservationRepository {
  /** Sets the reservation to `amount` (a new one, or a running stream's, grown). */
  async put(
    db: EntityManager,
    reservation: { id: string; user_id: string; amount: number; ttlMs: number },
  ): Promise<void> {
    await db.query(
      `INSERT INTO reservations (id, user_id, amount, expires_at)
       VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')
       ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.amount, expires_at = EXCLUDED.expires_at`,
      [reservation.id, reservation.user_id, reservation.amount, reservation.ttlMs],
    );
  }

  async release(db: EntityManager, id: string): Promise<void> {
    await db.query(`DELETE FROM reservations WHERE id = $1`, [id]);
  }
}
