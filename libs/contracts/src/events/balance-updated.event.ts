import { Type } from 'class-transformer';
import {
  Equals,
  IsBoolean,
  IsISO8601,
  IsInt,
  IsObject,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Topics } from '../topics';
import { IsUserId } from '../validation/identifiers';

export const BALANCE_UPDATED_SCHEMA_VERSION = 1;

/**
 * An account's state after a change, keyed by user_id on `credit.balance.updated`. A snapshot,
 * not a delta: a reader keeps the one with the highest version and may drop the others.
 */
export class BalanceSnapshot {
  @IsUserId() user_id!: string;
  /** May be negative (post-paid overdraft). */
  @IsInt() balance!: number;
  /** Reserved by open holds. */
  @IsInt() @Min(0) held!: number;
  /** balance − held: what a new hold or pre-checked call may still use. */
  @IsInt() available!: number;
  /** balance <= 0: no new priced calls until topped up. */
  @IsBoolean() blocked!: boolean;
  /** Grows with every change of the account. */
  @IsInt() @Min(0) version!: number;
  /** The highest charge `sequence` taken in for this user (0 before any). */
  @IsInt() @Min(0) charge_sequence!: number;
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
