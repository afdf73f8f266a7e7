export type Direction = 'income' | 'expense';
export type EntryStatus = 'applied' | 'rejected';

/** A request to move credits, before the ledger decides what it becomes. */
export interface Movement {
  event_id: string;
  user_id: string;
  source: string;
  direction: Direction;
  /** Magnitude, always > 0; the entry's signed amount follows from the direction. */
  amount: bigint;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
  pricing?: object | null;
  source_ref_id?: string | null;
  order_id?: string | null;
  hold_id?: string | null;
  occurred_at?: string | null;
  /** Where a bus message came from, to record a conflict once however often it is redelivered. */
  origin?: { topic: string; partition: number; offset: string };
}

/** A ledger row as written (amount is signed: income > 0, expense < 0). */
export interface NewLedgerEntry {
  event_id: string;
  user_id: string;
  source: string;
  direction: Direction;
  amount: bigint;
  balance_before: bigint;
  balance_after: bigint;
  status: EntryStatus;
  description: string | null;
  metadata: Record<string, unknown>;
  pricing: object | null;
  source_ref_id: string | null;
  order_id: string | null;
  hold_id: string | null;
  occurred_at: string | null;
}

export interface LedgerEntry extends NewLedgerEntry {
  id: string;
  created_at: Date;
}
