import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  Equals,
  IsArray,
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { IsJsonAmount, JsonAmount } from '../amounts/json-amount';
import { IsInstant } from '../time/instant';
import { Topics } from '../topics';
import { IsUserId } from '../validation/identifiers';

export const BALANCE_UPDATED_SCHEMA_VERSION = 1;

/** At most this many expiry times per snapshot; later grants are counted at the last one. */
export const MAX_EXPIRING_ENTRIES = 16;

/** Credits of the balance that expire at `at` (unless spent first). */
export class ExpiringCredits {
  @IsInstant() at!: string;
  @IsJsonAmount(1n) amount!: JsonAmount;
}

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
  /**
   * The grants' expiries, soonest first, those already due included: from `at` on, `amount` is
   * no longer part of the balance, whether or not the expiry job has written it off yet.
   */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_EXPIRING_ENTRIES)
  @ValidateNested({ each: true })
  @Type(() => ExpiringCredits)
  expiring?: ExpiringCredits[];
  @IsInstant() updated_at!: string;
}

export class BalanceUpdatedEvent {
  @IsString() @MaxLength(128) event_id!: string;
  @Equals(Topics.balanceUpdated) event_type!: typeof Topics.balanceUpdated;
  @Equals(BALANCE_UPDATED_SCHEMA_VERSION) schema_version!: number;
  @IsInstant() occurred_at!: string;
  @IsString() @MaxLength(64) producer!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => BalanceSnapshot)
  payload!: BalanceSnapshot;
}

/**
 * The `blocked` of a snapshot and of an account: post-paid charges may take the balance below
 * zero, and at or below zero no new priced call is accepted until a top-up.
 */
export function isBlocked(balance: bigint): boolean {
  return balance <= 0n;
}
