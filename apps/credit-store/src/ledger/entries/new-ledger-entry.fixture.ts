import type { NewLedgerEntry } from './ledger-entry';

/** An applied entry for unit tests, with nothing in it but what `over` says. */
export function newLedgerEntry(over: Partial<NewLedgerEntry> = {}): NewLedgerEntry {
  return {
    event_id: 'e',
    user_id: 'u',
    source: 'chat',
    direction: 'expense',
    amount: 0n,
    balance_before: 0n,
    balance_after: 0n,
    status: 'applied',
    description: null,
    metadata: {},
    pricing: null,
    source_ref_id: null,
    order_id: null,
    hold_id: null,
    occurred_at: null,
    allocations: null,
    ...over,
  };
}
