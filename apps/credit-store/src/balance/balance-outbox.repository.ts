import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface PendingSnapshot {
  user_id: string;
  balance: bigint;
  held: bigint;
  version: bigint;
  charge_sequence: bigint;
  updated_at: Date;
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
    await db.query(
      `INSERT INTO balance_outbox (user_id, version)
       SELECT * FROM unnest($1::text[], $2::bigint[]) ORDER BY 1
       ON CONFLICT (user_id) DO UPDATE
         SET version = GREATEST(balance_outbox.version, EXCLUDED.version),
             parked_at = NULL, parked_reason = NULL`,
      [accounts.map((a) => a.user_id), accounts.map((a) => a.version.toString())],
    );
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
    }[] = await db.query(
      `SELECT a.user_id, a.balance, a.version, a.charge_sequence, a.updated_at,
                (SELECT COALESCE(SUM(h.amount), 0) FROM holds h
                  WHERE h.user_id = a.user_id AND h.status = 'open' AND h.expires_at > now()) AS held
           FROM balance_outbox o JOIN accounts a USING (user_id)
          WHERE o.parked_at IS NULL
          ORDER BY o.enqueued_at LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      user_id: row.user_id,
      balance: BigInt(row.balance),
      held: BigInt(row.held),
      version: BigInt(row.version),
      charge_sequence: BigInt(row.charge_sequence),
      updated_at: row.updated_at,
    }));
  }

  /** Forgets what was published, unless the account changed again meanwhile. */
  async markPublished(db: EntityManager, published: PendingSnapshot[]): Promise<void> {
    await db.query(
      `DELETE FROM balance_outbox o USING unnest($1::text[], $2::bigint[]) AS p (user_id, version)
        WHERE o.user_id = p.user_id AND o.version <= p.version`,
      [published.map((s) => s.user_id), published.map((s) => s.version.toString())],
    );
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
