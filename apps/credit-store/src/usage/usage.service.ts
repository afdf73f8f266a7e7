import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { periodStart, UsagePeriod } from './usage-period';
import { UsageRepository } from './usage.repository';
import { usageSums } from './usage.view';

@Injectable()
export class UsageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly usage: UsageRepository,
  ) {}

  /** Totals, by source and model, and by day, from one snapshot so that they add up. */
  dashboard(userId: string, period: UsagePeriod, apiKeyId?: string, now = new Date()) {
    const from = periodStart(period, now);
    const key = apiKeyId ?? null;
    return this.dataSource.transaction('REPEATABLE READ', async (db) => {
      await db.query('SET TRANSACTION READ ONLY');
      const totals = await this.usage.totals(db, userId, from, key);
      const bySourceModel = await this.usage.bySourceAndModel(db, userId, from, key);
      const byDay = await this.usage.byDay(db, userId, from, key);
      return {
        user_id: userId,
        api_key_id: key,
        period,
        from: from?.toISOString() ?? null,
        totals: usageSums(totals),
        by_source_model: bySourceModel.map(({ source, model, ...sums }) => ({
          source,
          model,
          ...usageSums(sums),
        })),
        by_day: byDay.map(({ day, ...sums }) => ({ day, ...usageSums(sums) })),
      };
    });
  }
}
