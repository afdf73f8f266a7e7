import { Type } from 'class-transformer';
import { Equals, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { IsCreditAmount, IsDescription, IsEventId, IsUserId } from '../validation/identifiers';
import { IsFreeFormJson } from '../validation/json-hazards';
import { IsStorableText } from '../validation/storable-text';
import { IsInstant } from '../time/instant';

/**
 * A refund travels on the charges' topic (`credit.charge.requested`), keyed by the same user_id,
 * so that it lands on its charge's partition behind it and never overtakes it. Its `event_type`
 * (envelope and the `event_type` header) says it is a refund.
 */
export const REFUND_REQUESTED_EVENT_TYPE = 'credit.refund.requested';
export const REFUND_REQUESTED_SCHEMA_VERSION = 1;

/**
 * What a refund says about itself, whoever sends it: the bus payload, the gateway's
 * `POST /internal/refunds` body and the credit-store's `POST /accounts/{user_id}/refunds` body.
 */
export class RefundFields {
  /** The event_id of the charge given back. */
  @IsEventId() refund_of!: string;
  @IsOptional() @IsDescription() reason?: string;
  @IsOptional() @IsObject() @IsFreeFormJson() metadata?: Record<string, unknown>;
}

/** The body of both refund endpoints. */
export class RefundRequest extends RefundFields {
  @IsEventId() event_id!: string;
  /** Credits to give back; absent: whatever of the charge is not refunded yet. */
  @IsOptional() @IsCreditAmount(1) amount?: number;
}

/** Value of a refund message: the amount is always explicit on the bus. */
export class RefundRequestedPayload extends RefundFields {
  @IsUserId() user_id!: string;
  @IsCreditAmount(1) amount!: number;
}

export class RefundRequestedEvent {
  @IsEventId() event_id!: string;
  @Equals(REFUND_REQUESTED_EVENT_TYPE) event_type!: typeof REFUND_REQUESTED_EVENT_TYPE;
  @Equals(REFUND_REQUESTED_SCHEMA_VERSION) schema_version!: number;
  @IsInstant() occurred_at!: string;
  @IsString() @MaxLength(64) @IsStorableText() producer!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => RefundRequestedPayload)
  payload!: RefundRequestedPayload;
}
