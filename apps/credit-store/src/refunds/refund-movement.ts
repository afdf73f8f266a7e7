import { REFUND_SOURCE, type RefundRequest } from '@tally/contracts';
import type { Movement } from '../ledger/entries/ledger-entry';

/** A refund asked over HTTP as a ledger movement (no amount: whatever is left of the charge). */
export function refundMovement(userId: string, body: RefundRequest): Movement {
  return {
    event_id: body.event_id,
    user_id: userId,
    source: REFUND_SOURCE,
    direction: 'income',
    amount: BigInt(body.amount ?? 0),
    refund: { of: body.refund_of, whole: body.amount === undefined },
    description: body.reason ?? `refund of ${body.refund_of}`,
    metadata: body.metadata,
  };
}
