/** Credits that arrived with one income, spent FIFO by expiry and written off when they expire. */
export interface Grant {
  /** The income entry's event_id: a grant's identity inside the ledger. */
  event_id: string;
  user_id: string;
  source: string;
  amount: bigint;
  /** The part of the income that paid back an overdraft, never spendable. */
  debt_covered: bigint;
  remaining: bigint;
  /** null: never expires. */
  expires_at: Date | null;
  /** When an admin voided it: credits refunded to it later are written off again at once. */
  voided_at?: Date | null;
  /** When its order was refunded: credits refunded to it later come back without its value. */
  refunded_at?: Date | null;
  /** What the credits cost, in minor units of `currency` (0: free; absent: 0). */
  value_cent?: bigint;
  currency?: string | null;
  /** Creation order, the tie-break between grants expiring at the same moment. */
  seq: bigint;
}

/** What a plan changed about a grant: new ones are inserted, existing ones updated. */
export interface GrantChange {
  grant: Grant;
  isNew: boolean;
  /** Set when the expiry wrote the remainder off. */
  expired_at: Date | null;
  /** Set when a void wrote the remainder off. */
  voided_at?: Date | null;
  /** Set when an order refund took the grant back. */
  refunded_at?: Date | null;
}

/** A grant about to expire with credits left, claimed for its `grant.expiring` event. */
export interface ExpiringGrant {
  event_id: string;
  user_id: string;
  remaining: bigint;
  expires_at: Date;
}
