import { Controller, Get, Param, Query } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { RequireToken } from '@tally/platform';
import { IsIn, IsOptional } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { UserIdPipe } from '../accounts/user-id.pipe';
import { UsageRepository } from './usage.repository';

const PERIOD_MS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, all: null };
type Period = keyof typeof PERIOD_MS;

export class UsageQuery {
  @IsOptional() @IsIn(Object.keys(PERIOD_MS)) period?: Period;
}

@Controller('accounts/:user_id/usage')
@RequireToken('admin', 'internal')
export class UsageController {
  constructor(
    @InjectEntityManager() private readonly db: EntityManager,
    private readonly usage: UsageRepository,
  ) {}

  /** Credits and tokens spent, in total, by source and model, and by day (UTC). */
  @Get()
  async get(@Param('user_id', UserIdPipe) userId: string, @Query() query: UsageQuery) {
    const period = query.period ?? '30d';
    const span = PERIOD_MS[period];
    const from = span === null ? null : new Date(Date.now() - span);
    return {
      user_id: userId,
      period,
      from: from?.toISOString() ?? null,
      totals: await this.usage.totals(this.db, userId, from),
      by_source_model: await this.usage.bySourceAndModel(this.db, userId, from),
      by_day: await this.usage.byDay(this.db, userId, from),
    };
  }
}
