import { REFUND_SOURCE, type RefundRequestedEvent } from '@tally/contracts';
import type { InboundMessage } from '@tally/platform';
import type { Movement } from '../ledger/entries/ledger-entry';

/** A refund message of the bus as a ledger movement (its amount is always explicit there). */
export function refundMovement(event: RefundRequestedEvent, origin: InboundMessage): Movement {
  const { payload } = event;
  return {
    event_id: event.event_id,
    user_id: payload.user_id,
    source: REFUND_SOURCE,
    direction: 'income',
    amount: BigInt(payload.amount),
    refund: { of: payload.refund_of, whole: false },
    description: payload.reason ?? `refund of ${payload.refund_of}`,
    metadata: { ...payload.metadata, producer: event.producer },
    occurred_at: event.occurred_at,
    origin: { topic: origin.topic, partition: origin.partition, offset: origin.offset },
  };
}
