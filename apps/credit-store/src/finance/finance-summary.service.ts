import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import type { EntityManager } from 'typeorm';
import { jsonAmount } from '@tally/contracts';
import { FinanceSummaryRepository } from './finance-summary.repository';
import type { FinanceWindow } from './finance-window';

@Injectable()
export class FinanceSummaryService {
  constructor(
    @InjectEntityManager() private readonly db: EntityManager,
    private readonly summaries: FinanceSummaryRepository,
  ) {}

  /** Daily totals by source and direction; signed amounts (expenses are negative). */
  async summary(window: FinanceWindow) {
    const days = await this.summaries.dailyTotals(this.db, window);
    return {
      from: window.from?.toISOString() ?? null,
      to: window.to?.toISOString() ?? null,
      days: days.map((day) => ({
        day: day.day,
        source: day.source,
        direction: day.direction,
        entries: jsonAmount(day.entries),
        amount: jsonAmount(day.amount),
      })),
    };
  }
}
