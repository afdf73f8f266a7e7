import type { ChargeRequestedEvent } from '@tally/contracts';
import type { InboundMessage } from '../kafka/inbound-batch';
import type { Movement } from '../ledger/ledger-entry';

/** A charge event as a ledger movement; `free` events (amount 0) move nothing and give none. */
export function chargeMovement(
  event: ChargeRequestedEvent,
  origin: InboundMessage,
): Movement | undefined {
  const { payload } = event;
  if (payload.amount === 0) return undefined;
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
    origin: { topic: origin.topic, partition: origin.partition, offset: origin.offset },
  };
}
