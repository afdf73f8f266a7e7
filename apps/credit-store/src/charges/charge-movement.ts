import type { ChargeRequestedEvent } from '@tally/contracts';
import type { InboundMessage } from '@tally/platform';
import type { Movement, UsageRecord } from '../ledger/entries/ledger-entry';

/** A charge event as a ledger movement (free ones have amount 0: usage and hold release only). */
export function chargeMovement(event: ChargeRequestedEvent, origin: InboundMessage): Movement {
  const { payload } = event;
  return {
    event_id: event.event_id,
    user_id: payload.user_id,
    source: payload.source,
    direction: 'expense',
    amount: BigInt(payload.amount),
    description: payload.description,
    metadata: { ...payload.metadata, producer: event.producer },
    pricing: payload.pricing,
    source_ref_id: payload.source_ref_id,
    hold_id: payload.hold_id,
    occurred_at: event.occurred_at,
    usage: usageRecord(event),
    origin: { topic: origin.topic, partition: origin.partition, offset: origin.offset },
    charge_sequence: payload.sequence,
  };
}

function usageRecord({ payload: { pricing } }: ChargeRequestedEvent): UsageRecord {
  const usage = pricing.usage;
  return {
    mode: pricing.mode,
    provider: pricing.provider ?? null,
    model: pricing.model ?? null,
    rule_id: pricing.rule_id ?? null,
    rule_version: pricing.rule_version ?? null,
    input_tokens: usage.input_tokens ?? 0,
    cached_tokens: usage.cached_tokens ?? 0,
    cache_write_tokens: usage.cache_write_tokens ?? 0,
    reasoning_tokens: usage.reasoning_tokens ?? 0,
    output_tokens: usage.output_tokens ?? 0,
    seconds: usage.seconds ?? 0,
  };
}
