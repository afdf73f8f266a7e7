import {
  CHARGE_REQUESTED_SCHEMA_VERSION,
  ChargeRequestedEvent,
  ChargeRequestedPayload,
  Topics,
} from '@tally/contracts';
import type { ChargeRecord } from './charge.repository';

export const GATEWAY_PRODUCER = 'ai-gateway';

/**
 * The bus message of a charge, without its sequence (written in when the charge is recorded).
 * The id of the HTTP request that made it rides in the metadata, which the credit-store keeps on
 * the ledger entry.
 */
export function chargeRequestedEnvelope(
  charge: Omit<ChargeRecord, 'sequence' | 'request_fingerprint'>,
  occurredAt: Date,
  requestId: string | undefined,
): ChargeRequestedEvent {
  const payload: ChargeRequestedPayload = {
    user_id: charge.user_id,
    amount: charge.amount,
    source: charge.source,
    source_ref_id: charge.source_ref_id,
    hold_id: charge.hold_id,
    description: charge.description,
    pricing: charge.pricing,
    metadata: requestId ? { ...charge.metadata, request_id: requestId } : charge.metadata,
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
