import {
  CHARGE_REQUESTED_SCHEMA_VERSION,
  ChargeRequestedEvent,
  ChargeRequestedPayload,
  Topics,
} from '@tally/contracts';
import type { ChargeRecord } from './charge.repository';

export const GATEWAY_PRODUCER = 'ai-gateway';

/** The bus message of a recorded charge. */
export function chargeRequestedEnvelope(
  charge: ChargeRecord,
  occurredAt: Date,
): ChargeRequestedEvent {
  const payload: ChargeRequestedPayload = {
    user_id: charge.user_id,
    amount: charge.amount,
    source: charge.source,
    source_ref_id: charge.source_ref_id,
    hold_id: charge.hold_id,
    description: charge.description,
    pricing: charge.pricing,
    metadata: charge.metadata,
    sequence: charge.sequence,
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
