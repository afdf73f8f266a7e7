import type { ErrorCode } from '@tally/contracts';

export type Direction = 'income' | 'expense';
export type EntryStatus = 'applied' | 'rejected';

/** One part of an expense, drawn from one grant (named by the event_id of its income). */
export interface Allocation {
  grant: string;
  amount: bigint;
  /** Minor units of the grant's currency this part moved (see grant-value.ts); only valued grants. */
  value?: bigint;
}

/** What an income's credits cost: its grant's value. */
export interface IncomeValue {
  cent: bigint;
  currency: string;
}

/** A priced call as the usage dashboard sees it (free calls too, which move no credits). */
export interface UsageRecord {
  mode: string;
  provider: string | null;
  model: string | null;
  rule_id: string | null;
  rule_version: number | null;
  input_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  output_tokens: number;
  seconds: number;
}

/** A request to move credits, before the ledger decides what it becomes. */
export interface Movement {
  event_id: string;
  user_id: string;
  source: string;
  direction: Direction;
  /**
   * Magnitude, >= 0; the entry's signed amount follows from the direction. 0 only for a free
   * charge, which writes no entry but may still capture (release) a hold and record usage.
   */
  amount: bigint;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
  pricing?: object | null;
  source_ref_id?: string | null;
  order_id?: string | null;
  hold_id?: string | null;
  occurred_at?: string | null;
  /** Incomes only: what the credits cost (an order's amount); absent: free. */
  value?: IncomeValue;
  /** Incomes only: when the grant expires (null: never); undefined: the source's policy. */
  expires_at?: Date | null;
  usage?: UsageRecord;
  /** Where a bus message came from, to record a conflict once however often it is redelivered. */
  origin?: { topic: string; partition: number; offset: string };
  /**
   * A refund (income, source `refund`): the charge it gives back, and whether its amount is
   * whatever of that charge is not refunded yet (then `amount` is resolved by the ledger).
   */
  refund?: { of: string; whole: boolean };
  /** A void (expense, source `void`): the grant whose remainder it writes off (`amount` resolved). */
  void_grant?: string;
  /** An expense that draws from this grant before the others (an order refund, from its grant). */
  draw_first?: string;
  /** A charge's producer sequence, reported back in balance snapshots (see ChargeRequestedPayload). */
  charge_sequence?: number;
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
  /** Expenses: the grants drawn from, FIFO by expiry; the rest (if any) went into overdraft. */
  allocations: Allocation[] | null;
}

/** The principal whose request made an entry (a person's grant, void or refund); null otherwise. */
export interface EntryActor {
  id: string;
  name: string;
}

/** A row about to be written: with its reserved id, its instant as stored, and its hash. */
export interface ChainedEntry extends NewLedgerEntry {
  id: string;
  /** UTC with microseconds (see HashedFields.created_at). */
  created_at: string;
  entry_hash: string;
  /** What the actor column's default (the transaction's tally.actor) writes. */
  actor: EntryActor | null;
}

export interface LedgerEntry extends NewLedgerEntry {
  id: string;
  created_at: Date;
  actor?: EntryActor | null;
}

/** Why the ledger refused a movement without writing it (bus: dead-lettered; HTTP: 4xx). */
export interface Refusal {
  code: ErrorCode;
  reason: string;
}
