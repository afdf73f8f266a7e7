import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { IsCreditAmount, IsDescription, IsUserId } from '@tally/contracts';

/** Body of `POST /holds`: reserve credits for pre-paid work, to be captured by a charge later. */
export class AuthorizeHoldDto {
  /** The caller's idempotency key for the hold (a UUIDv7 is made when absent). */
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$/, {
    message: '$property must be 1-64 letters, digits or : . _ - (starting with a letter or digit)',
  })
  hold_id?: string;

  @IsUserId() user_id!: string;
  @IsCreditAmount(1) amount!: number;

  @IsOptional() @IsInt() @Min(1) @Max(7 * 86400) ttl_seconds?: number;
  @IsOptional() @IsDescription() description?: string;
}
