import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RevenueWindow } from './revenue-window';

export interface RevenueTotals {
  currency: string;
  sales: bigint;
  recognized: bigint;
  breakage: bigint;
  refunds: bigint;
}

interface TotalsRow {
  currency: string;
  sales: string;
  recognized: string;
  breakage: string;
  refunds: string;
}

const SUMS = `SUM(sales)::text AS sales, SUM(recognized)::text AS recognized,
              SUM(breakage)::text AS breakage, SUM(refunds)::text AS refunds`;

function totals(row: TotalsRow): RevenueTotals {
  return {
    currency: row.currency,
    sales: BigInt(row.sales),
    recognized: BigInt(row.recognized),
    breakage: BigInt(row.breakage),
    refunds: BigInt(row.refunds),
  };
}

/** Reads revenue_days (the ledger's daily totals, by its primary key's day range). */
@Injectable()
export class RevenueRepository {
  /** Per currency, everything before `day`: what was deferred when it began. */
  async before(db: EntityManager, day: string, currency: string | null): Promise<RevenueTotals[]> {
    const rows: TotalsRow[] = await db.query(
      `SELECT currency, ${SUMS} FROM revenue_days
        WHERE day < $1::date AND ($2::text IS NULL OR currency = $2) GROUP BY currency`,
      [day, currency],
    );
    return rows.map(totals);
  }

  /** Per day and currency within the window (days without movement are absent). */
  async days(
    db: EntityManager,
    window: RevenueWindow,
  ): Promise<(RevenueTotals & { day: string })[]> {
    const rows: (TotalsRow & { day: string })[] = await db.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, currency, ${SUMS} FROM revenue_days
        WHERE day BETWEEN $1::date AND $2::date AND ($3::text IS NULL OR currency = $3)
        GROUP BY day, currency ORDER BY day, currency`,
      [window.from, window.to, window.currency],
    );
    return rows.map((row) => ({ ...totals(row), day: row.day }));
  }

  /** Per currency: what is deferred now according to the daily totals. */
  async deferredByTotals(db: EntityManager): Promise<Map<string, bigint>> {
    const rows: { currency: string; deferred: string }[] = await db.query(
      `SELECT currency, SUM(sales - recognized - breakage - refunds)::text AS deferred
         FROM revenue_days GROUP BY currency`,
    );
    return new Map(rows.map((row) => [row.currency, BigInt(row.deferred)]));
  }
}
