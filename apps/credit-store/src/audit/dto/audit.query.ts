import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsInstant } from '@tally/contracts';

/** `GET /admin/audit` and `/admin/audit.csv`: filters (from inclusive, to exclusive, on `at`). */
export class AuditQuery {
  /** A principal's id or name. */
  @IsOptional() @IsString() @Length(1, 200) actor?: string;
  @IsOptional() @IsString() @Length(1, 100) action?: string;
  @IsOptional() @IsString() @Length(1, 200) target_id?: string;
  @IsOptional() @IsInstant() from?: string;
  @IsOptional() @IsInstant() to?: string;
  @IsOptional() @IsString() @Length(1, 200) cursor?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}
