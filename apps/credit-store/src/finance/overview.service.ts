import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { jsonAmount } from '@tally/contracts';
import type { EntityManager } from 'typeorm';
import { DeadLetterRepository } from '../charges/dead-letter.repository';
import { OverviewRepository } from './overview.repository';
import { RevenueService } from './revenue.service';
import { dayOf } from './revenue-window';

const DAY_MS = 86_400_000;
export const OVERVIEW_DAYS = 30;
const TOP_CONSUMERS = 10;

/**
 * The whole system at a glance (the console's overview). Money comes from the daily revenue
 * totals, credits from the spendable grants; none of it scans the ledger. The reconciliation is
 * not part of it: it reads everything, so the console asks for it separately.
 */
@Injectable()
export class OverviewService {
  constructor(
    @InjectEntityManager() private readonly db: EntityManager,
    private readonly figures: OverviewRepository,
    private readonly revenue: RevenueService,
    private readonly deadLetters: DeadLetterRepository,
  ) {}

  async overview(now = new Date()) {
    const today = dayOf(now.getTime());
    const startOfDay = new Date(`${today}T00:00:00Z`);
    const from = dayOf(startOfDay.getTime() - (OVERVIEW_DAYS - 1) * DAY_MS);
    // Independent reads, each on its own pooled connection: the answer takes the slowest, not all.
    const [credits, days, top, orders, letters] = await Promise.all([
      this.figures.creditsOutstanding(this.db),
      this.revenue.rollforward({ from, to: today, currency: null }),
      this.figures.topConsumers(this.db, startOfDay, TOP_CONSUMERS),
      this.figures.ordersByStatus(this.db),
      this.deadLetters.counts(this.db),
    ]);
    const todays = days.filter((d) => d.day === today);
    return {
      as_of: now.toISOString(),
      credits_outstanding: jsonAmount(credits),
      deferred_revenue: todays.map((d) => ({
        currency: d.currency,
        deferred: jsonAmount(d.closing_deferred),
      })),
      today: todays.map((d) => ({
        currency: d.currency,
        sales: jsonAmount(d.sales),
        recognized: jsonAmount(d.recognized),
        breakage: jsonAmount(d.breakage),
        refunds: jsonAmount(d.refunds),
      })),
      last_30_days: days.map((d) => ({
        day: d.day,
        currency: d.currency,
        sales: jsonAmount(d.sales),
        recognized: jsonAmount(d.recognized),
        breakage: jsonAmount(d.breakage),
      })),
      top_consumers_today: top.map((t) => ({
        user_id: t.user_id,
        consumed: jsonAmount(t.consumed),
      })),
      orders_by_status: orders,
      dead_letters: letters,
    };
  }
}
