import { jsonAmount } from '@tally/contracts';
import type { Hold } from '../ledger/holds/hold';

export function holdView(hold: Hold) {
  return {
    hold_id: hold.hold_id,
    user_id: hold.user_id,
    amount: jsonAmount(hold.amount),
    status: hold.status,
    expires_at: hold.expires_at.toISOString(),
    captured_amount: hold.captured_amount === null ? null : jsonAmount(hold.captured_amount),
    capture_event_id: hold.capture_event_id,
    description: hold.description,
    created_at: hold.created_at.toISOString(),
    closed_at: hold.closed_at?.toISOString() ?? null,
  };
}

export type HoldView = ReturnType<typeof holdView>;
