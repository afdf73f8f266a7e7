import { jsonAmount } from '@tally/contracts';
import type { LedgerEntry } from './ledger-entry';

export function ledgerEntryView(entry: LedgerEntry) {
  return {
    event_id: entry.event_id,
    user_id: entry.user_id,
    source: entry.source,
    direction: entry.direction,
    amount: jsonAmount(entry.amount),
    balance_before: jsonAmount(entry.balance_before),
    balance_after: jsonAmount(entry.balance_after),
    status: entry.status,
    description: entry.description,
    metadata: entry.metadata,
    pricing: entry.pricing,
    source_ref_id: entry.source_ref_id,
    order_id: entry.order_id,
    hold_id: entry.hold_id,
    occurred_at: entry.occurred_at,
    // `value`: minor units of the grant's currency the part moved (valued grants only).
    allocations:
      entry.allocations?.map((a) =>
        a.value === undefined
          ? { grant: a.grant, amount: jsonAmount(a.amount) }
          : { grant: a.grant, amount: jsonAmount(a.amount), value: jsonAmount(a.value) },
      ) ?? null,
    created_at: entry.created_at.toISOString(),
    actor: entry.actor ?? null,
  };
}

export type LedgerEntryView = ReturnType<typeof ledgerEntryView>;
