import { Injectable } from '@nestjs/common';
import { BalanceSnapshot, jsonAmount } from '@tally/contracts';
import { runStatement, type Statement } from '@tally/platform';
import type { EntityManager } from 'typeorm';

/** What the guard may still let a user spend, and why. */
export interface Spendable {
  user_id: string;
  /** From the latest snapshot of the credit-store. */
  balance: bigint;
  held: bigint;
  blocked: boolean;
  snapshot_version: bigint;
  /** This gateway's charges that the snapshot does not include yet. */
  unreflected: bigint;
  /** Set aside for calls in flight (other than the one asking). */
  reserved: bigint;
  /** balance − held − unreflected − reserved. */
  spendable: bigint;
}

/** As JSON: amounts exact (numbers, or decimal strings beyond 2^53). */
export function spendableView(state: Spendable) {
  return {
    user_id: state.user_id,
    balance: jsonAmount(state.balance),
    held: jsonAmount(state.held),
    blocked: state.blocked,
    snapshot_version: jsonAmount(state.snapshot_version),
    unreflected: jsonAmount(state.unreflected),
    reserved: jsonAmount(state.reserved),
    spendable: jsonAmount(state.spendable),
  };
}

/**
 * The guard's figures for user `$user` (a query parameter), leaving out reservation `$except`:
 * the snapshot (less its grants due by now: the credit-store writes those off before it applies
 * anything else), this gateway's charges it does not include yet, and what calls in flight hold.
 */
export function spendableQuery(user: string, except: string): string {
  return `SELECT v.user_id, v.balance - e.due AS balance, v.held,
              v.blocked OR v.balance - e.due <= 0 AS blocked, v.snapshot_version,
              (SELECT COALESCE(SUM(c.amount), 0) FROM charges c
                WHERE c.user_id = v.user_id AND c.sequence > v.reflected_sequence) AS unreflected,
              (SELECT COALESCE(SUM(r.amount), 0) FROM reservations r
                WHERE r.user_id = v.user_id AND r.expires_at > now()
                  AND r.id IS DISTINCT FROM ${except}::uuid) AS reserved
         FROM balance_view v,
              LATERAL (SELECT COALESCE(SUM((x->>'amount')::bigint), 0) AS due
                         FROM jsonb_array_elements(v.expiring) x
                        WHERE (x->>'at')::timestamptz <= now()) e
        WHERE v.user_id = ${user}`;
}

/** The guard's view of balances (`balance_view`) and the charges it has not seen reflected. */
@Injectable()
export class BalanceViewRepository {
  /** Keeps the newest snapshot of each user; older or repeated ones change nothing. */
  async saveSnapshots(db: EntityManager, snapshots: BalanceSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    const newest = new Map<string, BalanceSnapshot>();
    for (const s of snapshots) {
      const kept = newest.get(s.user_id);
      if (!kept || BigInt(kept.version) < BigInt(s.version)) newest.set(s.user_id, s);
    }
    const rows = [...newest.values()].sort((a, b) => (a.user_id < b.user_id ? -1 : 1));
    // Amounts go to bigint columns as decimal text: exact whichever JSON form they came in.
    const column = (pick: (s: BalanceSnapshot) => unknown) => rows.map(pick);
    const amounts = (pick: (s: BalanceSnapshot) => number | string) =>
      rows.map((s) => String(pick(s)));
    await runStatement(db, {
      name: 'balance_view_save',
      text: `INSERT INTO balance_view (user_id, balance, held, blocked, snapshot_version,
                                 reflected_sequence, snapshot_at, expiring)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::boolean[], $5::bigint[],
                            $6::bigint[], $7::timestamptz[], $8::jsonb[])
       ON CONFLICT (user_id) DO UPDATE
          SET balance = EXCLUDED.balance, held = EXCLUDED.held, blocked = EXCLUDED.blocked,
              snapshot_version = EXCLUDED.snapshot_version,
              reflected_sequence = EXCLUDED.reflected_sequence, snapshot_at = EXCLUDED.snapshot_at,
              expiring = EXCLUDED.expiring
        WHERE balance_view.snapshot_version < EXCLUDED.snapshot_version`,
      values: [
        column((s) => s.user_id),
        amounts((s) => s.balance),
        amounts((s) => s.held),
        column((s) => s.blocked),
        amounts((s) => s.version),
        amounts((s) => s.charge_sequence ?? 0),
        column((s) => s.updated_at),
        // Instants as UTC ISO strings, read back by PostgreSQL whatever its session time zone.
        column((s) =>
          JSON.stringify(
            (s.expiring ?? []).map((e) => ({
              at: new Date(e.at).toISOString(),
              amount: String(e.amount),
            })),
          ),
        ),
      ],
    });
  }

  /**
   * Locks the user's row (creating it: a user never seen has nothing to spend) so that one user's
   * guard decisions and charges queue, across replicas too. The transaction's commit will not
   * wait for the WAL flush: a reservation need not survive a database crash (the calls in flight
   * die with it, or are charged anyway). Charges, which are money, always wait. A statement for
   * `inOneRoundTrip`, ahead of the reservation it guards.
   */
  lockForReservation(userId: string): Statement {
    return {
      name: 'reservation_lock',
      text: `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true))
             INSERT INTO balance_view (user_id) SELECT $1::text FROM relaxed
             ON CONFLICT (user_id) DO UPDATE SET user_id = EXCLUDED.user_id`,
      values: [userId],
    };
  }

  /**
   * What the user may spend now, leaving out one reservation (the caller's own, being extended).
   */
  async spendable(
    db: EntityManager,
    userId: string,
    exceptReservation?: string,
  ): Promise<Spendable> {
    const [row]: Record<string, string | boolean>[] = await db.query(spendableQuery('$1', '$2'), [
      userId,
      exceptReservation ?? null,
    ]);
    const amount = (key: string) => BigInt(row?.[key] ?? 0);
    const spendable: Spendable = {
      user_id: userId,
      balance: amount('balance'),
      held: amount('held'),
      blocked: row ? row.blocked === true : true,
      snapshot_version: amount('snapshot_version'),
      unreflected: amount('unreflected'),
      reserved: amount('reserved'),
      spendable: 0n,
    };
    spendable.spendable =
      spendable.balance - spendable.held - spendable.unreflected - spendable.reserved;
    return spendable;
  }
}
