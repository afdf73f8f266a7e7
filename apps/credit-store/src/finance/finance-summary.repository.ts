import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { FinanceWindow } from './finance-window';

export interface DailyTotal {
  day: string;
  source: string;
  direction: 'income' | 'expense';
  entries: bigint;
  amount: bigint;
}

@Injectable()
export class FinanceSummaryRepository {
  /** Applied entries per UTC day, source and direction (rejected ones moved nothing). */
  async dailyTotals(db: EntityManager, window: FinanceWindow): Promise<DailyTotal[]> {
    const rows: (Omit<DailyTotal, 'entries' | 'amount'> & { entries: string; amount: string })[] =
      await db.query(
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, source, direction,
                count(*)::text AS entries, sum(amount)::text AS amount
           FROM ledger_entries
          WHERE status = 'applied'
            AND ($1::timestamptz IS NULL OR created_at >= $1)
            AND ($2::timestamptz IS NULL OR created_at < $2)
          GROUP BY 1, 2, 3
          ORDER BY 1, 2, 3`,
        [window.from, window.to],
      );
    return rows.map((row) => ({
      ...row,
      entries: BigInt(row.entries),
      amount: BigInt(row.amount),
    }));
  }
}
