import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IsCreditAmount, IsEventId, IsUserId } from '@tally/contracts';

function IsRewardSource(): PropertyDecorator {
  return Matches(/^[a-z][a-z0-9_.-]{0,63}$/, {
    message: '$property must be a lowercase identifier such as forum-like (at most 64 characters)',
  });
}

/** What a rule created without limits allows: one reward a user a UTC day, no total. */
export const DEFAULT_REWARD_LIMITS = { max_per_user_per_day: 1, max_per_user: null };

/** The integer columns' bound. */
const MAX_LIMIT = 2_147_483_647;

/** Body of `POST /admin/reward-rules`. */
export class CreateRewardRuleDto {
  @IsRewardSource() source!: string;
  @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @IsCreditAmount(1) amount!: number;
  @IsOptional() @IsIn(['active', 'inactive']) status?: 'active' | 'inactive';
  /** Rewards one user may get from the rule in a UTC day; null: no limit. Left out: 1. */
  @IsOptional() @IsInt() @Min(1) @Max(MAX_LIMIT) max_per_user_per_day?: number | null;
  /** Rewards one user may get from the rule in all; null or left out: no limit. */
  @IsOptional() @IsInt() @Min(1) @Max(MAX_LIMIT) max_per_user?: number | null;
}

/** Left out is unchanged; null is refused (nothing here may be empty) but for a limit, which it removes. */
const IfGiven = () => ValidateIf((_: object, value: unknown) => value !== undefined);

/**
 * Body of `PATCH /admin/reward-rules/{id}`. The source is the rule's identity (callers name it,
 * reward entries keep it as source_ref_id), so it cannot change: delete and create instead.
 */
export class UpdateRewardRuleDto {
  @IfGiven() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @IfGiven() @IsCreditAmount(1) amount?: number;
  @IfGiven() @IsIn(['active', 'inactive']) status?: 'active' | 'inactive';
  @IsOptional() @IsInt() @Min(1) @Max(MAX_LIMIT) max_per_user_per_day?: number | null;
  @IsOptional() @IsInt() @Min(1) @Max(MAX_LIMIT) max_per_user?: number | null;
}

/** Body of `POST /rewards`: credit the rule of `source` once per event_id. */
export class RewardDto {
  @IsEventId() event_id!: string;
  @IsUserId() user_id!: string;
  @IsRewardSource() source!: string;
}
