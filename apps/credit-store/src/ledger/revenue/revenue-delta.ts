import { EXPIRE_SOURCE, ORDER_REFUND_SOURCE, VOID_SOURCE } from '@tally/contracts';
import type { NewLedgerEntry } from '../entries/ledger-entry';
import type { Grant } from '../grants/grant';
import { deferredValue, valueMoved } from '../grants/grant-value';

/** What one ledger transaction did to revenue in one currency (minor units). */
export interface RevenueDelta {
  currency: string;
  /** Value of the grants made (orders, valued manual grants). */
  sales: bigint;
  /** Value of credits used (charges, less what refunds of charges gave back). */
  recognized: bigint;
  /** Value of credits written off (expiries and voids). */
  breakage: bigint;
  /** Value order refunds took back from grants. */
  refunds: bigint;
}

type Column = Exclude<keyof RevenueDelta, 'currency'>;

function columnOf(entry: NewLedgerEntry): Column {
  if (entry.direction === 'income') return 'recognized';
  if (entry.source === EXPIRE_SOURCE || entry.source === VOID_SOURCE) return 'breakage';
  if (entry.source === ORDER_REFUND_SOURCE) return 'refunds';
  return 'recognized';
}

/**
 * Values a plan's entries: replays their allocations on the grants as they stood before
 * (`known`) or as they were made (`made`), writes each valued allocation's `value` (grant-value.ts)
 * and sums what moved per currency. A refund's allocations give value back: negative recognition.
 * The part of a new grant that paid back an overdraft paid for credits already used, so its value
 * is recognized when the grant is made.
 */
export function valueEntries(
  entries: readonly NewLedgerEntry[],
  known: ReadonlyMap<string, Grant>,
  made: readonly Grant[],
): RevenueDelta[] {
  const grants = new Map(known);
  const remaining = new Map<string, bigint>();
  const deltas = new Map<string, RevenueDelta>();
  const add = (currency: string, column: Column, cents: bigint) => {
    if (cents === 0n) return;
    let delta = deltas.get(currency);
    if (!delta) {
      delta = { currency, sales: 0n, recognized: 0n, breakage: 0n, refunds: 0n };
      deltas.set(currency, delta);
    }
    delta[column] += cents;
  };
  const madeById = new Map(made.map((g) => [g.event_id, g]));

  for (const entry of entries) {
    const grant = madeById.get(entry.event_id);
    if (entry.direction === 'income' && grant && !grants.has(grant.event_id)) {
      const start = grant.amount - grant.debt_covered;
      grants.set(grant.event_id, grant);
      remaining.set(grant.event_id, start);
      if (grant.value_cent && grant.currency) {
        add(grant.currency, 'sales', grant.value_cent);
        add(grant.currency, 'recognized', grant.value_cent - deferredValue(grant, start));
      }
    }
    if (!entry.allocations) continue;
    const column = columnOf(entry);
    const sign = entry.direction === 'income' ? -1n : 1n;
    entry.allocations = entry.allocations.map((allocation) => {
      const drawn = grants.get(allocation.grant);
      if (!drawn?.value_cent || !drawn.currency) return allocation;
      const before = remaining.get(drawn.event_id) ?? drawn.remaining;
      const after = before - sign * allocation.amount;
      remaining.set(drawn.event_id, after);
      const value = valueMoved(drawn, before, after);
      add(drawn.currency, column, sign * value);
      return { ...allocation, value };
    });
  }
  return [...deltas.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
}
