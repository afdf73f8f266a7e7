export const HOLD_STATUSES = ['open', 'captured', 'voided', 'expired'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];

/** A two-phase reservation: open until captured by a charge naming it, voided, or expired. */
export interface Hold {
  hold_id: string;
  user_id: string;
  amount: bigint;
  status: HoldStatus;
  expires_at: Date;
  capture_event_id: string | null;
  captured_amount: bigint | null;
  description: string | null;
  created_at: Date;
  closed_at: Date | null;
}

/** A charge that closed a hold, as the plan decided it. */
export interface HoldCapture {
  hold_id: string;
  event_id: string;
  amount: bigint;
}
