import { runStatement } from '@tally/platform';
import { Injectable } from '@nestjs/common';
import { MAX_EXPIRING_ENTRIES } from '@tally/contracts';
import type { EntityManager } from 'typeorm';

export interface Expiring {
  at: Date;
  amount: bigint;
}

export interface PendingSnapshot {
  user_id: string;
  balance: bigint;
  held: bigint;
  version: bigint;
  charge_sequence: bigint;
  updated_at: Date;
  /** The grants' remaining credits by expiry time, soonest first (see BalanceSnapshot). */
  expiring: Expiring[];
}

/** A snapshot that cannot be published as it is, and why. */
export interface ParkedSnapshot {
  snapshot: PendingSnapshot;
  reason: string;
}

/** A parked snapshot as an operator sees it. */
export interface ParkedSnapshotRow {
  user_id: string;
  version: string;
  parked_at: Date;
  reason: string;
}

/**
 * Keeps the first expiry times and counts every later grant at the last one kept: sooner than it
 * expires, so a reader may refuse those credits early, never let them be spent late.
 */
export function capExpiring(expiring: Expiring[], max = MAX_EXPIRING_ENTRIES): Expiring[] {
  if (expiring.length <= max) return expiring;
  const rest = expiring.slice(max - 1).reduce((sum, e) => sum + e.amount, 0n);
  return [...expiring.slice(0, max - 1), { at: expiring[max - 1].at, amount: rest }];
}

/** Namespace and key of the snapshot relay's advisory lock. */
const RELAY_LOCK = [74_114, 0];

/**
 * Accounts whose latest state is not yet on `credit.balance.updated`. A row per account, not per
 * change: snapshots replace each other, so only the newest needs to go out.
 */
@Injectable()
export class BalanceOutboxRepository {
  /** In the transaction that changed the accounts, so a commit never loses its snapshot. */
  async enqueue(
    db: EntityManager,
    accounts: { user_id: string; version: bigint }[],
  ): Promise<void> {
    if (accounts.length === 0) return;
    await runStatement(db, {
      name: 'balance_outbox_enqueue',
      text: `INSERT INTO balance_outbox (user_id, version)
       SELECT * FROM unnest($1::text[], $2::bigint[]) ORDER BY 1
       ON CONFLICT (user_id) DO UPDATE
         SET version = GREATEST(balance_outbox.version, EXCLUDED.version),
             parked_at = NULL, parked_reason = NULL`,
      values: [accounts.map((a) => a.user_id), accounts.map((a) => a.version.toString())],
    });
  }

  /**
   * Makes this transaction the only snapshot relay at work, across replicas, or answers false.
   * One relay at a time, each reading the accounts' current state, publishes a user's snapshots
   * in version order; so the last one written for a key, which compaction keeps, is the newest.
   */
  async tryLockRelay(db: EntityManager): Promise<boolean> {
    const [row]: { locked: boolean }[] = await runStatement(db, {
      name: 'balance_outbox_lock_relay',
      text: `SELECT pg_try_advisory_xact_lock($1, $2) AS locked`,
      values: RELAY_LOCK,
    });
    return row.locked;
  }

  /** The oldest pending accounts with their current state (which may be newer than queued). */
  async findPending(db: EntityManager, limit: number): Promise<PendingSnapshot[]> {
    const rows: {
      user_id: string;
      balance: string;
      held: string;
      version: string;
      charge_sequence: string;
      updated_at: Date;
    }[] = await runStatement(db, {
      name: 'balance_outbox_pending',
      text: `SELECT a.user_id, a.balance, a.version, a.charge_sequence, a.updated_at,
                (SELECT COALESCE(SUM(h.amount), 0) FROM holds h
                  WHERE h.user_id = a.user_id AND h.status = 'open' AND h.expires_at > now()) AS held
           FROM balance_outbox o JOIN accounts a USING (user_id)
          WHERE o.parked_at IS NULL
          ORDER BY o.enqueued_at LIMIT $1`,
      values: [limit],
    });
    const expiring = await this.findExpiring(
      db,
      rows.map((row) => row.user_id),
    );
    return rows.map((row) => ({
      user_id: row.user_id,
      balance: BigInt(row.balance),
      held: BigInt(row.held),
      version: BigInt(row.version),
      charge_sequence: BigInt(row.charge_sequence),
      updated_at: row.updated_at,
      expiring: capExpiring(expiring.get(row.user_id) ?? []),
    }));
  }

  /** The spendable grants' remaining credits by expiry time, per user, soonest first. */
  private async findExpiring(
    db: EntityManager,
    userIds: string[],
  ): Promise<Map<string, Expiring[]>> {
    const rows: { user_id: string; at: Date; amount: string }[] = await runStatement(db, {
      name: 'balance_outbox_expiring',
      text: `SELECT user_id, expires_at AS at, SUM(remaining) AS amount FROM grants
        WHERE user_id = ANY($1::text[]) AND spendable AND expires_at IS NOT NULL
        GROUP BY user_id, expires_at ORDER BY user_id, expires_at`,
      values: [userIds],
    });
    const byUser = new Map<string, Expiring[]>();
    for (const row of rows) {
      const list = byUser.get(row.user_id) ?? [];
      list.push({ at: row.at, amount: BigInt(row.amount) });
      byUser.set(row.user_id, list);
    }
    return byUser;
  }

  /**
   * Forgets what was published, unless the account changed again meanwhile. The transaction's
   * commit does not wait for the WAL flush: a mark lost in a database crash only sends those
   * snapshots again, which readers drop by version; one fsync less per cycle.
   */
  async markPublished(db: EntityManager, published: PendingSnapshot[]): Promise<void> {
    // Rows locked in user_id order, as enqueue takes them: a ledger transaction and the relay
    // never wait on each other in a cycle (deadlocks seen under the P1 load before).
    await runStatement(db, {
      name: 'balance_outbox_mark_published',
      text: `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
            locked AS (
              SELECT o.user_id
                FROM balance_outbox o
                JOIN unnest($1::text[], $2::bigint[]) AS p (user_id, version) USING (user_id)
               WHERE o.version <= p.version
               ORDER BY o.user_id
                 FOR UPDATE OF o)
       DELETE FROM balance_outbox o
        USING locked, unnest($1::text[], $2::bigint[]) AS p (user_id, version), relaxed
        WHERE o.user_id = locked.user_id AND p.user_id = o.user_id AND o.version <= p.version`,
      values: [published.map((s) => s.user_id), published.map((s) => s.version.toString())],
    });
  }

  /** Sets snapshots aside until their account changes again (enqueue clears the mark). */
  async park(db: EntityManager, parked: ParkedSnapshot[]): Promise<void> {
    if (parked.length === 0) return;
    await db.query(
      `UPDATE balance_outbox o SET parked_at = now(), parked_reason = p.reason
         FROM unnest($1::text[], $2::bigint[], $3::text[]) AS p (user_id, version, reason)
        WHERE o.user_id = p.user_id AND o.version <= p.version`,
      [
        parked.map((p) => p.snapshot.user_id),
        parked.map((p) => p.snapshot.version.toString()),
        parked.map((p) => p.reason.slice(0, 1000)),
      ],
    );
  }

  async findParked(db: EntityManager, limit: number): Promise<ParkedSnapshotRow[]> {
    return db.query(
      `SELECT user_id, version::text AS version, parked_at, parked_reason AS reason
         FROM balance_outbox WHERE parked_at IS NOT NULL
        ORDER BY parked_at LIMIT $1`,
      [limit],
    );
  }

  async countParked(db: EntityManager): Promise<number> {
    const [row]: { parked: string }[] = await db.query(
      `SELECT count(*) AS parked FROM balance_outbox WHERE parked_at IS NOT NULL`,
    );
    return Number(row.parked);
  }
}
