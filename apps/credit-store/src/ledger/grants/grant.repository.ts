import { runStatement } from '@tally/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ExpiringGrant, Grant, GrantChange } from './grant';

interface GrantRow {
  id: string;
  event_id: string;
  user_id: string;
  source: string;
  amount: string;
  debt_covered: string;
  remaining: string;
  expires_at: Date | null;
  voided_at: Date | null;
  refunded_at: Date | null;
  value_cent: string;
  currency: string | null;
}

function fromRow(row: GrantRow): Grant {
  return {
    event_id: row.event_id,
    user_id: row.user_id,
    source: row.source,
    amount: BigInt(row.amount),
    debt_covered: BigInt(row.debt_covered),
    remaining: BigInt(row.remaining),
    expires_at: row.expires_at,
    voided_at: row.voided_at,
    refunded_at: row.refunded_at,
    value_cent: BigInt(row.value_cent),
    currency: row.currency,
    seq: BigInt(row.id),
  };
}

const COLUMNS = `id, event_id, user_id, source, amount, debt_covered, remaining, expires_at, voided_at,
                 refunded_at, value_cent, currency`;

/**
 * Grants change only while their account's row is locked (ledger transactions, holds and the
 * expiry job all lock it first), so reading them needs no lock of its own.
 */
@Injectable()
export class GrantRepository {
  async findSpendable(db: EntityManager, userIds: string[]): Promise<Map<string, Grant[]>> {
    const rows: GrantRow[] = await runStatement(db, {
      name: 'grants_find_spendable',
      text: `SELECT ${COLUMNS} FROM grants WHERE user_id = ANY($1::text[]) AND spendable`,
      values: [[...new Set(userIds)]],
    });
    const byUser = new Map<string, Grant[]>();
    for (const row of rows) {
      const list = byUser.get(row.user_id) ?? [];
      list.push(fromRow(row));
      byUser.set(row.user_id, list);
    }
    return byUser;
  }

  /** Grants by their income's event_id, whatever their state (for refunds and voids). */
  async findByEventIds(db: EntityManager, eventIds: string[]): Promise<Map<string, Grant>> {
    if (eventIds.length === 0) return new Map();
    const rows: GrantRow[] = await runStatement(db, {
      name: 'grants_find_by_event',
      text: `SELECT ${COLUMNS} FROM grants WHERE event_id = ANY($1::text[])`,
      values: [[...new Set(eventIds)]],
    });
    return new Map(rows.map((row) => [row.event_id, fromRow(row)]));
  }

  /** Users with grants whose expiry has come and that still hold credits. */
  async findUsersWithDueGrants(db: EntityManager, now: Date, limit: number): Promise<string[]> {
    const rows: { user_id: string }[] = await db.query(
      `SELECT DISTINCT user_id FROM (
         SELECT user_id FROM grants
          WHERE spendable AND expires_at IS NOT NULL AND expires_at <= $1
          ORDER BY expires_at LIMIT $2) due`,
      [now, limit],
    );
    return rows.map((row) => row.user_id);
  }

  /** Users with grants that still hold credits, expire in (now, horizon] and were not announced. */
  async findUsersWithExpiringGrants(
    db: EntityManager,
    now: Date,
    horizon: Date,
    limit: number,
  ): Promise<string[]> {
    const rows: { user_id: string }[] = await runStatement(db, {
      name: 'grants_find_users_expiring',
      text: `SELECT DISTINCT user_id FROM (
         SELECT user_id FROM grants
          WHERE spendable AND expires_at IS NOT NULL AND expires_at > $1 AND expires_at <= $2
            AND expiring_notified_at IS NULL
          ORDER BY expires_at LIMIT $3) expiring`,
      values: [now, horizon, limit],
    });
    return rows.map((row) => row.user_id);
  }

  /**
   * Marks these users' grants that expire in (now, horizon] and still hold credits as announced,
   * and answers them: under the accounts' locks, so one transaction alone claims each grant.
   */
  async claimExpiring(
    db: EntityManager,
    userIds: string[],
    now: Date,
    horizon: Date,
  ): Promise<ExpiringGrant[]> {
    const rows: { event_id: string; user_id: string; remaining: string; expires_at: Date }[] =
      await runStatement(db, {
        name: 'grants_claim_expiring',
        text: `WITH claimed AS (
           UPDATE grants SET expiring_notified_at = now()
            WHERE user_id = ANY($1::text[]) AND spendable AND expires_at > $2 AND expires_at <= $3
              AND expiring_notified_at IS NULL
           RETURNING id, event_id, user_id, remaining, expires_at)
         SELECT event_id, user_id, remaining, expires_at FROM claimed
          ORDER BY user_id, expires_at, id`,
        values: [[...new Set(userIds)], now, horizon],
      });
    return rows.map((row) => ({ ...row, remaining: BigInt(row.remaining) }));
  }

  /** Inserts the new grants and updates the changed ones, one statement each. */
  async save(db: EntityManager, changes: GrantChange[]): Promise<void> {
    const added = changes.filter((c) => c.isNew).map((c) => c.grant);
    const updated = changes.filter((c) => !c.isNew);
    if (added.length > 0) {
      await runStatement(db, {
        name: 'grants_insert',
        text: `INSERT INTO grants (event_id, user_id, source, amount, debt_covered, remaining, expires_at,
                             value_cent, currency)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[],
                              $6::bigint[], $7::timestamptz[], $8::bigint[], $9::text[])`,
        values: [
          added.map((g) => g.event_id),
          added.map((g) => g.user_id),
          added.map((g) => g.source),
          added.map((g) => g.amount.toString()),
          added.map((g) => g.debt_covered.toString()),
          added.map((g) => g.remaining.toString()),
          added.map((g) => g.expires_at),
          added.map((g) => (g.value_cent ?? 0n).toString()),
          added.map((g) => g.currency ?? null),
        ],
      });
    }
    if (updated.length > 0) {
      await runStatement(db, {
        name: 'grants_update',
        text: `UPDATE grants AS g SET remaining = u.remaining,
                                expired_at = COALESCE(g.expired_at, u.expired_at),
                                voided_at = COALESCE(g.voided_at, u.voided_at),
                                refunded_at = COALESCE(g.refunded_at, u.refunded_at)
           FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::timestamptz[],
                       $5::timestamptz[])
                AS u (event_id, remaining, expired_at, voided_at, refunded_at)
          WHERE g.event_id = u.event_id`,
        values: [
          updated.map((c) => c.grant.event_id),
          updated.map((c) => c.grant.remaining.toString()),
          updated.map((c) => c.expired_at),
          updated.map((c) => c.voided_at ?? null),
          updated.map((c) => c.refunded_at ?? null),
        ],
      });
    }
  }
}
