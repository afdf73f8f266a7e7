import { IsOptional } from 'class-validator';
import { IsInstant } from '@tally/contracts';

/** `?from=&to=` of the finance reports: from inclusive, to exclusive, on created_at. */
export class FinanceWindowQuery {
  @IsOptional()
  @IsInstant()
  from?: string;

  @IsOptional()
  @IsInstant()
  to?: string;
}
