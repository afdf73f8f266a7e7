import {
  CHARGE_REQUESTED_SCHEMA_VERSION,
  ChargeRequestedEvent,
  ChargeRequestedPayload,
  Topics,
} from '@tally/contracts';
import type { CreateChargeDto } from './dto/create-charge.dto';

export const GATEWAY_PRODUCER = 'ai-gateway';

/** The bus message for an accepted internal charge: its amount was given, so pricing is `fixed`. */
export function chargeRequestedEnvelope(
  charge: CreateChargeDto,
  occurredAt: Date,
): ChargeRequestedEvent {
  const payload: ChargeRequestedPayload = {
    user_id: charge.user_id,
    amount: charge.amount,
    source: charge.source,
    source_ref_id: charge.source_ref_id,
    hold_id: charge.hold_id,
    description: charge.description,
    pricing: { mode: 'fixed', usage: {} },
    metadata: charge.metadata,
  };
  return {
    event_id: charge.event_id,
    event_type: Topics.chargeRequested,
    schema_version: CHARGE_REQUESTED_SCHEMA_VERSION,
    occurred_at: occurredAt.toISOString(),
    producer: GATEWAY_PRODUCER,
    payload,
  };
}
