import { IsIn, IsInt, IsOptional, Matches, Max, Min, ValidateIf } from 'class-validator';
import {
  MAX_AMOUNT,
  INCOME_SOURCES,
  IncomeSource,
  IsCreditAmount,
  IsDescription,
  IsEventId,
  IsFutureInstant,
} from '@tally/contracts';

/** Body of `POST /accounts/{user_id}/grants`: credits given by hand or by a purchase flow. */
export class CreateGrantDto {
  @IsEventId() event_id!: string;
  @IsCreditAmount(1) amount!: number;
  @IsIn(INCOME_SOURCES) source!: IncomeSource;
  /** When the credits expire (must be in the future); null: never; absent: the source's policy. */
  @IsOptional() @IsFutureInstant() expires_at?: string | null;
  @IsOptional() @IsDescription() description?: string;
  /** What the credits cost, in minor units of `currency` (revenue); absent: free (0). */
  @ValidateIf((grant: CreateGrantDto) => grant.value_cent !== undefined || !!grant.currency)
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT)
  value_cent?: number;
  /** ISO 4217 code of `value_cent`; required with it. */
  @ValidateIf((grant: CreateGrantDto) => grant.value_cent !== undefined || !!grant.currency)
  @Matches(/^[A-Z]{3}$/, { message: '$property must be an ISO 4217 code such as USD' })
  currency?: string;
}
