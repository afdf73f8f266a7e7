import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import { RevenueRepository, RevenueTotals } from './revenue.repository';
import { daysOf, RevenueWindow } from './revenue-window';

/** One day of one currency: opening + sales − recognized − breakage − refunds = closing. */
export interface RevenueDay {
  day: string;
  currency: string;
  opening_deferred: bigint;
  sales: bigint;
  recognized: bigint;
  breakage: bigint;
  refunds: bigint;
  closing_deferred: bigint;
}

const ZERO = { sales: 0n, recognized: 0n, breakage: 0n, refunds: 0n };

/**
 * The deferred-revenue rollforward: every day of the window for every currency that has revenue
 * by then, each day opening where the previous one closed (the first at everything before it).
 */
@Injectable()
export class RevenueService {
  constructor(
    @InjectEntityManager() private readonly db: EntityManager,
    private readonly revenue: RevenueRepository,
  ) {}

  async rollforward(window: RevenueWindow): Promise<RevenueDay[]> {
    const [before, days] = await this.db.transaction('REPEATABLE READ', async (db) => [
      await this.revenue.before(db, window.from, window.currency),
      await this.revenue.days(db, window),
    ]);
    const deferred = new Map(before.map((t) => [t.currency, net(t)]));
    const byDay = new Map(days.map((d) => [`${d.day} ${d.currency}`, d]));
    const currencies = [...new Set([...deferred.keys(), ...days.map((d) => d.currency)])].sort();
    const rows: RevenueDay[] = [];
    for (const day of daysOf(window)) {
      for (const currency of currencies) {
        const moved = byDay.get(`${day} ${currency}`) ?? { ...ZERO, currency };
        if (!deferred.has(currency) && !byDay.has(`${day} ${currency}`)) continue;
        const opening = deferred.get(currency) ?? 0n;
        const closing = opening + net(moved);
        deferred.set(currency, closing);
        rows.push({
          day,
          currency,
          opening_deferred: opening,
          sales: moved.sales,
          recognized: moved.recognized,
          breakage: moved.breakage,
          refunds: moved.refunds,
          closing_deferred: closing,
        });
      }
    }
    return rows;
  }
}

function net(t: Omit<RevenueTotals, 'currency'>): bigint {
  return t.sales - t.recognized - t.breakage - t.refunds;
}
