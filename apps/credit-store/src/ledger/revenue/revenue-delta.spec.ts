import { newLedgerEntry } from '../entries/new-ledger-entry.fixture';
import type { Grant } from '../grants/grant';
import { deferredValue } from '../grants/grant-value';
import { valueEntries } from './revenue-delta';

const grant = (over: Partial<Grant> = {}): Grant => ({
  event_id: 'g',
  user_id: 'u',
  source: 'purchase',
  amount: 1000n,
  debt_covered: 0n,
  remaining: 1000n,
  expires_at: null,
  value_cent: 999n,
  currency: 'USD',
  seq: 1n,
  ...over,
});

const entry = newLedgerEntry;

describe('deferredValue', () => {
  it('is the whole value when full, 0 when empty, floored in between', () => {
    const g = grant();
    expect(deferredValue(g, 1000n)).toBe(999n);
    expect(deferredValue(g, 0n)).toBe(0n);
    expect(deferredValue(g, 750n)).toBe(749n); // 749.25
    expect(deferredValue(grant({ value_cent: 0n }), 500n)).toBe(0n);
  });
});

describe('valueEntries', () => {
  it('sells a new grant and recognizes at once the part that paid an overdraft back', () => {
    const made = grant({ debt_covered: 300n, remaining: 700n });
    const deltas = valueEntries(
      [entry({ event_id: 'g', direction: 'income', source: 'purchase' })],
      new Map(),
      [made],
    );
    // deferred(700) = floor(999 × 0.7) = 699: 300 cents of the sale were for credits already used.
    expect(deltas).toEqual([
      { currency: 'USD', sales: 999n, recognized: 300n, breakage: 0n, refunds: 0n },
    ]);
  });

  it('values each draw as deferred before − after, by kind, and a refund as value given back', () => {
    const known = new Map([['g', grant({ remaining: 1000n })]]);
    const entries = [
      entry({ event_id: 'c1', allocations: [{ grant: 'g', amount: 1n }] }),
      entry({ event_id: 'c2', allocations: [{ grant: 'g', amount: 399n }] }),
      entry({
        event_id: 'r',
        direction: 'income',
        source: 'refund',
        allocations: [{ grant: 'g', amount: 100n }],
      }),
      entry({ event_id: 'x', source: 'expire', allocations: [{ grant: 'g', amount: 700n }] }),
    ];
    const deltas = valueEntries(entries, known, []);
    // 1000 → 999: 999 − 998 = 1; 999 → 600: 998 − 599 = 399; 600 → 700: 699 − 599 = 100 back;
    // 700 → 0: 699.
    expect(entries.map((e) => e.allocations![0].value)).toEqual([1n, 399n, 100n, 699n]);
    expect(deltas).toEqual([
      { currency: 'USD', sales: 0n, recognized: 300n, breakage: 699n, refunds: 0n },
    ]);
    // Recognized 300 + breakage 699 + deferred 0 = 999.
  });

  it('leaves allocations of free grants without a value, and moves nothing', () => {
    const known = new Map([['g', grant({ value_cent: 0n, currency: null })]]);
    const entries = [entry({ allocations: [{ grant: 'g', amount: 5n }] })];
    expect(valueEntries(entries, known, [])).toEqual([]);
    expect(entries[0].allocations).toEqual([{ grant: 'g', amount: 5n }]);
  });

  it('puts an order refund in refunds', () => {
    const known = new Map([['g', grant({ remaining: 500n })]]);
    const entries = [
      entry({ source: 'order_refund', allocations: [{ grant: 'g', amount: 500n }] }),
    ];
    expect(valueEntries(entries, known, [])).toEqual([
      { currency: 'USD', sales: 0n, recognized: 0n, breakage: 0n, refunds: 499n },
    ]);
  });
});
