import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
} from 'class-validator';
import { IsJsonAmount, JsonAmount } from '../amounts/json-amount';
import { IsInstant } from '../time/instant';
import { IsUserId } from '../validation/identifiers';

/** What happened to an account, as published on `credit.account.events` (key: user_id). */
export const ACCOUNT_EVENT_TYPES = [
  'grant.created',
  'grant.voided',
  'grant.expired',
  'grant.expiring',
  'charge.refunded',
  'charge.dead_lettered',
  'order.paid',
  'order.refunded',
  'balance.low',
  'account.blocked',
  'account.unblocked',
  'auto_topup.requested',
  'auto_topup.limit_reached',
] as const;

export type AccountEventType = (typeof ACCOUNT_EVENT_TYPES)[number];

/** The fields of `data` each type always carries (the others are absent or null). */
export const ACCOUNT_EVENT_FIELDS: Record<AccountEventType, readonly (keyof AccountEventData)[]> = {
  'grant.created': ['event_id', 'grant_id', 'source', 'amount', 'balance_after'],
  'grant.voided': ['event_id', 'grant_id', 'amount', 'balance_after'],
  'grant.expired': ['event_id', 'grant_id', 'amount', 'balance_after'],
  'grant.expiring': ['event_id', 'grant_id', 'amount_remaining', 'expires_at', 'balance'],
  'charge.refunded': ['event_id', 'charge_event_id', 'amount', 'balance_after'],
  'charge.dead_lettered': ['event_id', 'code'],
  'order.paid': ['event_id', 'order_id', 'amount', 'balance_after'],
  'order.refunded': ['event_id', 'order_id', 'amount', 'balance_after'],
  'balance.low': ['event_id', 'threshold', 'balance_before', 'balance_after'],
  'account.blocked': ['event_id', 'balance_before', 'balance_after'],
  'account.unblocked': ['event_id', 'balance_before', 'balance_after'],
  'auto_topup.requested': ['event_id', 'order_id', 'product_id', 'amount', 'price', 'currency'],
  'auto_topup.limit_reached': ['event_id', 'product_id', 'max_per_month', 'month'],
};

/**
 * What caused an event and what it did. `event_id` is the ledger entry's (GET /ledger/{event_id}
 * shows it; for grant.expiring, the grant's income; for charge.dead_lettered, the refused
 * charge's, in no entry; for auto_topup.*, the debit that crossed the threshold); amounts are
 * credits, positive, as JsonAmounts.
 */
export class AccountEventData {
  @IsString() @MaxLength(256) event_id!: string;
  /** The grant's id: the event_id of the income that created it. */
  @IsOptional() @IsString() @MaxLength(256) grant_id?: string;
  @IsOptional() @IsString() @MaxLength(64) source?: string;
  @IsOptional() @IsString() @MaxLength(128) order_id?: string | null;
  @IsOptional() @IsString() @MaxLength(256) charge_event_id?: string;
  @IsOptional() @IsJsonAmount(0n) amount?: JsonAmount;
  @IsOptional() @IsJsonAmount() balance_before?: JsonAmount;
  @IsOptional() @IsJsonAmount() balance_after?: JsonAmount;
  @IsOptional() @IsJsonAmount() threshold?: JsonAmount;
  /** charge.dead_lettered: why the ledger refused the charge (an ErrorCode), and in words. */
  @IsOptional() @IsString() @MaxLength(64) code?: string;
  @IsOptional() @IsString() @MaxLength(4000) reason?: string;
  /** grant.expiring: what the grant still holds; it is written off at `expires_at`. */
  @IsOptional() @IsJsonAmount(0n) amount_remaining?: JsonAmount;
  /** grant.expiring: the account's balance when the event was made. */
  @IsOptional() @IsJsonAmount() balance?: JsonAmount;
  /** grant.created and grant.expiring: when the grant's credits expire (null: never). */
  @IsOptional() @IsInstant() expires_at?: string | null;
  /** order.paid: what the order cost, in minor units of `currency`. */
  @IsOptional() @IsJsonAmount(0n) price_cent?: JsonAmount;
  @IsOptional() @IsString() @MaxLength(8) currency?: string;
  /** auto_topup.*: the product an auto top-up buys. */
  @IsOptional() @IsInt() @Min(1) product_id?: number;
  /** auto_topup.requested: what the order costs, in minor units of `currency`. */
  @IsOptional() @IsJsonAmount(0n) price?: JsonAmount;
  /** auto_topup.limit_reached: the paid auto top-ups allowed a UTC month, reached in `month`. */
  @IsOptional() @IsInt() @Min(1) max_per_month?: number;
  /** auto_topup.limit_reached: the UTC month, `YYYY-MM`. */
  @IsOptional() @Matches(/^\d{4}-\d{2}$/) month?: string;
}

/** data carries the fields its event's type requires. */
function FitsItsType(): PropertyDecorator {
  return ValidateBy({
    name: 'fitsItsType',
    validator: {
      validate: (data: unknown, args) => {
        const type = (args?.object as { type?: unknown }).type as AccountEventType;
        const fields = ACCOUNT_EVENT_FIELDS[type];
        if (!fields || typeof data !== 'object' || data === null) return true;
        return fields.every((field) => (data as Record<string, unknown>)[field] != null);
      },
      defaultMessage: (args) => {
        const type = (args?.object as { type?: unknown }).type as AccountEventType;
        return `$property of a ${type} must have ${ACCOUNT_EVENT_FIELDS[type]?.join(', ')}`;
      },
    },
  });
}

/**
 * One fact about an account, made in the ledger transaction that caused it. `id` is the same on
 * every publication of the fact (dedupe by it); `seq` grows by one per event of the user.
 */
export class AccountEvent {
  @IsUUID() id!: string;
  @IsIn(ACCOUNT_EVENT_TYPES) type!: AccountEventType;
  @IsInstant() occurred_at!: string;
  @IsUserId() user_id!: string;
  @IsJsonAmount(1n) seq!: JsonAmount;

  @IsObject()
  @FitsItsType()
  @ValidateNested()
  @Type(() => AccountEventData)
  data!: AccountEventData;
}
