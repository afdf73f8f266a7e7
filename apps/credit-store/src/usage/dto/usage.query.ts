import { IsIn, IsOptional } from 'class-validator';
import { DEFAULT_USAGE_PERIOD, USAGE_PERIODS, UsagePeriod } from '../usage-period';

export class UsageQuery {
  @IsOptional()
  @IsIn(USAGE_PERIODS)
  period: UsagePeriod = DEFAULT_USAGE_PERIOD;
}
