import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCreditAmount, IsFutureInstant, MAX_AMOUNT } from '@tally/contracts';
import { BUDGET_PERIODS, type BudgetPeriod } from '../key-limits';

/** A model name, or a prefix of names ending in `*` (`gpt-4o*`), or `*` for any model. */
const MODEL_PATTERN = /^(\*|[^\s*\p{Cc}\p{Cs}]+\*?)$/u;

export class KeyBudgetDto {
  /** Credits the key may be charged in one period (in-flight reservations counted). */
  @IsCreditAmount(1) credits!: number;
  /** UTC day, UTC week (from Monday), UTC month, or the key's whole life. */
  @IsIn(BUDGET_PERIODS) period!: BudgetPeriod;
}

/**
 * The limits of a key, each optional. On `PATCH` a field left out is kept and `null` removes the
 * limit; on `POST` both mean no limit.
 */
export class ApiKeyLimitsDto {
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => KeyBudgetDto)
  budget?: KeyBudgetDto | null;

  /** Requests per UTC minute. */
  @IsOptional() @IsInt() @Min(1) @Max(1_000_000) rpm?: number | null;

  /** Tokens per UTC minute: a call's estimate is counted when it starts, corrected when it ends. */
  @IsOptional() @IsInt() @Min(1) @Max(MAX_AMOUNT) tpm?: number | null;

  /** Calls in flight at once. */
  @IsOptional() @IsInt() @Min(1) @Max(100_000) max_parallel?: number | null;

  /** The models the key may call (`/v1/models` lists only those); a trailing `*` matches any suffix. */
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  @Matches(MODEL_PATTERN, {
    each: true,
    message: '$property must hold model names, each with at most one `*`, at its end',
  })
  models?: string[] | null;

  /** After this instant the key is refused (401); it must be in the future when set. */
  @IsOptional() @IsFutureInstant() expires_at?: string | null;
}
