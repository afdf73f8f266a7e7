import { PartialType } from '@nestjs/mapped-types';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { IsCreditAmount, IsEventId, IsUserId } from '@tally/contracts';

const REWARD_SOURCE = /^[a-z][a-z0-9_.-]{0,63}$/;

/** Body of `POST /admin/reward-rules`. */
export class CreateRewardRuleDto {
  @Matches(REWARD_SOURCE, {
    message: '$property must be a lowercase identifier such as forum-like',
  })
  source!: string;
  @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @IsCreditAmount(1) amount!: number;
  @IsOptional() @IsIn(['active', 'inactive']) status?: 'active' | 'inactive';
}

export class UpdateRewardRuleDto extends PartialType(CreateRewardRuleDto) {}

/** Body of `POST /rewards`: credit the rule of `source` once per event_id. */
export class RewardDto {
  @IsEventId() event_id!: string;
  @IsUserId() user_id!: string;
  @Matches(REWARD_SOURCE, {
    message: '$property must be a lowercase identifier such as forum-like',
  })
  source!: string;
}
