import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * The system-wide figures of the console's overview, each from an index or a small table:
 * spendable grants (partial index), today's ledger entries (BRIN on created_at), orders.
 */
@Injectable()
export class OverviewRepository {
  /** Credits the users can still spend: what their spendable grants hold. */
  async creditsOutstanding(db: EntityManager): Promise<bigint> {
    const [row]: { credits: string }[] = await db.query(
      `SELECT COALESCE(SUM(remaining), 0)::text AS credits FROM grants WHERE spendable`,
    );
    return BigInt(row.credits);
  }

  /** The accounts that used most credits since `since` (charges less their refunds). */
  async topConsumers(
    db: EntityManager,
    since: Date,
    limit: number,
  ): Promise<{ user_id: string; consumed: bigint }[]> {
    const rows: { user_id: string; consumed: string }[] = await db.query(
      `SELECT user_id, (-SUM(amount))::text AS consumed FROM ledger_entries
        WHERE created_at >= $1 AND status = 'applied'
          AND ((direction = 'expense' AND source NOT IN ('expire', 'void', 'order_refund'))
               OR source = 'refund')
        GROUP BY user_id HAVING SUM(amount) < 0
        ORDER BY SUM(amount), user_id LIMIT $2`,
      [since, limit],
    );
    return rows.map((row) => ({ user_id: row.user_id, consumed: BigInt(row.consumed) }));
  }

  async ordersByStatus(db: EntityManager): Promise<{ status: string; orders: number }[]> {
    const rows: { status: string; orders: string }[] = await db.query(
      `SELECT status, count(*) AS orders FROM orders GROUP BY status ORDER BY status`,
    );
    return rows.map((row) => ({ status: row.status, orders: Number(row.orders) }));
  }
}
