import { Type } from 'class-transformer';
import {
  Equals,
  IsBoolean,
  IsISO8601,
  IsObject,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsJsonAmount, JsonAmount } from '../amounts/json-amount';
import { Topics } from '../topics';
import { IsUserId } from '../validation/identifiers';

export const BALANCE_UPDATED_SCHEMA_VERSION = 1;

/**
 * An account's state after a change, keyed by user_id on `credit.balance.updated`. A snapshot,
 * not a delta: a reader keeps the one with the highest version and may drop the others. Amounts
 * are JsonAmounts (numbers, or decimal strings beyond 2^53: a post-paid debt has no bound).
 */
export class BalanceSnapshot {
  @IsUserId() user_id!: string;
  /** May be negative (post-paid overdraft). */
  @IsJsonAmount() balance!: JsonAmount;
  /** Reserved by open holds. */
  @IsJsonAmount(0n) held!: JsonAmount;
  /** balance − held: what a new hold or pre-checked call may still use. */
  @IsJsonAmount() available!: JsonAmount;
  /** balance <= 0: no new priced calls until topped up. */
  @IsBoolean() blocked!: boolean;
  /** Grows with every change of the account. */
  @IsJsonAmount(0n) version!: JsonAmount;
  /** The highest charge `sequence` taken in for this user (0 before any). */
  @IsJsonAmount(0n) charge_sequence!: JsonAmount;
  @IsISO8601({ strict: true }) updated_at!: string;
}

export class BalanceUpdatedEvent {
  @IsString() @MaxLength(128) event_id!: string;
  @Equals(Topics.balanceUpdated) event_type!: typeof Topics.balanceUpdated;
  @Equals(BALANCE_UPDATED_SCHEMA_VERSION) schema_version!: number;
  @IsISO8601({ strict: true }) occurred_at!: string;
  @IsString() @MaxLength(64) producer!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => BalanceSnapshot)
  payload!: BalanceSnapshot;
}
