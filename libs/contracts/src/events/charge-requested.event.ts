import { Type } from 'class-transformer';
import {
  Equals,
  IsInt,
  Min,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  IsNotIn,
  ValidateNested,
} from 'class-validator';
import {
  IsCreditAmount,
  IsDescription,
  IsEventId,
  IsSource,
  IsUserId,
} from '../validation/identifiers';
import { RESERVED_CHARGE_SOURCES } from '../validation/sources';
import { IsFreeFormJson } from '../validation/json-hazards';
import { IsStorableText } from '../validation/storable-text';
import { IsInstant } from '../time/instant';
import { ChargePricing } from './charge-pricing';
import { Topics } from '../topics';

export const CHARGE_REQUESTED_SCHEMA_VERSION = 1;

/**
 * What a charge says about itself, whoever sends it: the bus payload below and the gateway's
 * `POST /internal/charges` body both extend this, so both validate these fields the same way.
 */
export class ChargeFields {
  @IsUserId() user_id!: string;

  @IsSource()
  @IsNotIn(RESERVED_CHARGE_SOURCES, {
    message:
      '$property must not be an income source or one the ledger writes itself (expire, refund, order_refund, void)',
  })
  source!: string;

  @IsOptional() @IsString() @MaxLength(128) @IsStorableText() source_ref_id?: string;
  @IsOptional() @IsString() @MaxLength(64) @IsStorableText() hold_id?: string;
  @IsOptional() @IsDescription() description?: string;
  @IsOptional() @IsObject() @IsFreeFormJson() metadata?: Record<string, unknown>;
}

/** Value of a `credit.charge.requested` message: one post-paid charge (or hold capture) of a user. */
export class ChargeRequestedPayload extends ChargeFields {
  /** Credits to take. 0 only for `free` pricing, which is recorded as usage but moves no money. */
  @IsCreditAmount(0) amount!: number;

  /**
   * The producer's count of this user's charges (1, 2, 3...). The credit-store reports the highest
   * it has taken in as `charge_sequence` in its balance snapshots, so the producer knows which of
   * its own charges a snapshot already includes.
   */
  @IsOptional() @IsInt() @Min(1) sequence?: number;

  @IsObject()
  @ValidateNested()
  @Type(() => ChargePricing)
  pricing!: ChargePricing;
}

export class ChargeRequestedEvent {
  @IsEventId() event_id!: string;
  @Equals(Topics.chargeRequested) event_type!: typeof Topics.chargeRequested;
  @Equals(CHARGE_REQUESTED_SCHEMA_VERSION) schema_version!: number;
  @IsInstant() occurred_at!: string;
  @IsString() @MaxLength(64) @IsStorableText() producer!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => ChargeRequestedPayload)
  payload!: ChargeRequestedPayload;
}
