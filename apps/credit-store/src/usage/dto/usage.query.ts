import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { DEFAULT_USAGE_PERIOD, USAGE_PERIODS, UsagePeriod } from '../usage-period';

export class UsageQuery {
  @IsOptional()
  @IsIn(USAGE_PERIODS)
  period: UsagePeriod = DEFAULT_USAGE_PERIOD;

  /** Only the calls made through this API key (as their charges' `metadata.api_key_id` names it). */
  @IsOptional()
  @IsUUID()
  api_key_id?: string;
}
