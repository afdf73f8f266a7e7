import { createHash } from 'node:crypto';
import { canonicalEntry, entryHash, GENESIS_HASH, HashedFields } from './entry-hash';

const entry = (over: Partial<HashedFields> = {}): HashedFields => ({
  id: '41',
  event_id: 'chat-1',
  user_id: 'alice',
  amount: -30n,
  direction: 'expense',
  source: 'chat',
  balance_before: 100n,
  balance_after: 70n,
  created_at: '2026-12-06T00:29:54.123456Z',
  allocations: [
    { grant: 'gift-1', amount: 20n },
    { grant: 'order-1', amount: 10n, value: 99n },
  ],
  ...over,
});

describe('entry hash', () => {
  it('encodes the fields in one fixed order, amounts as decimal strings', () => {
    expect(canonicalEntry('ab', entry())).toBe(
      '["ab","41","chat-1","alice","-30","expense","chat","100","70",' +
        '"2026-12-06T00:29:54.123456Z",[["gift-1","20",null],["order-1","10","99"]]]',
    );
    expect(canonicalEntry(GENESIS_HASH, entry({ allocations: null }))).toMatch(/,null\]$/);
  });

  it('is the SHA-256 of that encoding, in hex', () => {
    const expected = createHash('sha256').update(canonicalEntry('ab', entry())).digest('hex');
    expect(entryHash('ab', entry())).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with every covered field and with the previous hash', () => {
    const base = entryHash('ab', entry());
    const variants: Partial<HashedFields>[] = [
      { id: '42' },
      { event_id: 'chat-2' },
      { user_id: 'bob' },
      { amount: -31n },
      { direction: 'income' },
      { source: 'video' },
      { balance_before: 101n },
      { balance_after: 71n },
      { created_at: '2026-12-06T00:29:54.123457Z' },
      { allocations: [{ grant: 'gift-1', amount: 30n }] },
      { allocations: null },
    ];
    for (const variant of variants) expect(entryHash('ab', entry(variant))).not.toBe(base);
    expect(entryHash('ac', entry())).not.toBe(base);
  });

  it('cannot be confused by a separator inside a field', () => {
    expect(entryHash('', entry({ event_id: 'a","b', user_id: 'c' }))).not.toBe(
      entryHash('', entry({ event_id: 'a', user_id: 'b","c' })),
    );
  });
});
