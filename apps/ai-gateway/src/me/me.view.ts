import type { JsonAmount } from '@tally/contracts';
import type { ApiKey } from '../api-keys/api-key.repository';

/** A ledger entry as the credit-store lists it (the fields read here). */
export interface StoreLedgerEntry {
  amount: number;
  direction: 'income' | 'expense';
  source: string;
  pricing: { model?: string | null } | null;
  balance_after: number;
  created_at: string;
}

/**
 * An entry as its account holder sees it: what moved and why, never the internal metadata
 * (event ids of other systems, actor, allocations, hashes).
 */
export function myLedgerEntry(entry: StoreLedgerEntry) {
  return {
    amount: entry.amount,
    direction: entry.direction,
    source: entry.source,
    model: entry.pricing?.model ?? null,
    balance_after: entry.balance_after,
    created_at: entry.created_at,
  };
}

/** The key a client called with, its limits and where it stands against its budget. */
export function myKey(key: ApiKey, standing: { spent: JsonAmount; remaining: JsonAmount | null }) {
  return {
    id: key.id,
    name: key.name,
    budget: key.budget,
    spent_this_period: standing.spent,
    remaining: standing.remaining,
    rpm: key.rpm,
    tpm: key.tpm,
    max_parallel: key.max_parallel,
    expires_at: key.expires_at?.toISOString() ?? null,
  };
}
