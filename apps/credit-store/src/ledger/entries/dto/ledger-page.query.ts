import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { IsInstant, IsSource } from '@tally/contracts';

export class LedgerPageQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  @IsOptional()
  @IsString()
  cursor?: string;

  @IsOptional()
  @IsSource()
  source?: string;

  /** Inclusive lower bound of created_at. */
  @IsOptional()
  @IsInstant()
  from?: string;

  /** Exclusive upper bound of created_at. */
  @IsOptional()
  @IsInstant()
  to?: string;
}
