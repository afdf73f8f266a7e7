import {
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IsCreditAmount, IsEventId, IsUserId } from '@tally/contracts';

function IsRewardSource(): PropertyDecorator {
  return Matches(/^[a-z][a-z0-9_.-]{0,63}$/, {
    message: '$property must be a lowercase identifier such as forum-like (at most 64 characters)',
  });
}

/** Body of `POST /admin/reward-rules`. */
export class CreateRewardRuleDto {
  @IsRewardSource() source!: string;
  @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @IsCreditAmount(1) amount!: number;
  @IsOptional() @IsIn(['active', 'inactive']) status?: 'active' | 'inactive';
}

/** Left out is unchanged; null is refused (nothing here may be empty). */
const IfGiven = () => ValidateIf((_: object, value: unknown) => value !== undefined);

/**
 * Body of `PATCH /admin/reward-rules/{id}`. The source is the rule's identity (callers name it,
 * reward entries keep it as source_ref_id), so it cannot change: delete and create instead.
 */
export class UpdateRewardRuleDto {
  @IfGiven() @IsString() @MinLength(1) @MaxLength(200) name?: string;
  @IfGiven() @IsCreditAmount(1) amount?: number;
  @IfGiven() @IsIn(['active', 'inactive']) status?: 'active' | 'inactive';
}

/** Body of `POST /rewards`: credit the rule of `source` once per event_id. */
export class RewardDto {
  @IsEventId() event_id!: string;
  @IsUserId() user_id!: string;
  @IsRewardSource() source!: string;
}
