import type { EntityManager } from 'typeorm';
import type { AccountRecord } from '../accounts/account.repository';
import { EntryChain } from './entry-chain';
import { entryHash, GENESIS_HASH } from './entry-hash';
import type { ReservedIds } from './id-reservation';
import type { NewLedgerEntry } from './ledger-entry';
import type { LedgerRepository } from './ledger.repository';
import { newLedgerEntry } from './new-ledger-entry.fixture';

const db = {} as EntityManager;

function entry(n: number): NewLedgerEntry {
  return newLedgerEntry({
    event_id: `e${n}`,
    user_id: 'u1',
    source: 'api_call',
    amount: 1n,
    balance_before: 10n - BigInt(n),
    balance_after: 9n - BigInt(n),
  });
}

/** A repository whose sequence continues at 100; records what link asked it for. */
function fakeLedger(asked: number[]): LedgerRepository {
  return {
    reserveIds: (_db: EntityManager, count: number) => {
      asked.push(count);
      return Promise.resolve({
        ids: Array.from({ length: count }, (_, i) => String(100 + i)),
        created_at: '2026-01-01T00:00:00.000000Z',
        actor: null,
      });
    },
  } as unknown as LedgerRepository;
}

const lockReserved: ReservedIds = {
  ids: ['7', '8', '9'],
  created_at: '2026-12-06T05:00:00.123456Z',
  actor: { id: 'p1', name: 'Pat' },
};

describe('EntryChain.link', () => {
  it('uses the ids the accounts lock reserved, without a round trip of its own', async () => {
    const asked: number[] = [];
    const chained = await new EntryChain(fakeLedger(asked)).link(
      db,
      [entry(1), entry(2)],
      new Map(),
      new Map(),
      lockReserved,
    );
    expect(asked).toEqual([]);
    expect(chained.map((e) => e.id)).toEqual(['7', '8']);
    expect(chained.map((e) => [e.created_at, e.actor])).toEqual([
      [lockReserved.created_at, lockReserved.actor],
      [lockReserved.created_at, lockReserved.actor],
    ]);
  });

  it('reserves only the entries beyond those, after them, with the lock instant and actor', async () => {
    const asked: number[] = [];
    const chained = await new EntryChain(fakeLedger(asked)).link(
      db,
      [1, 2, 3, 4, 5].map(entry),
      new Map(),
      new Map(),
      lockReserved,
    );
    expect(asked).toEqual([2]);
    expect(chained.map((e) => e.id)).toEqual(['7', '8', '9', '100', '101']);
    expect(new Set(chained.map((e) => e.created_at))).toEqual(new Set([lockReserved.created_at]));
  });

  it('reserves all of them when the lock reserved none', async () => {
    const asked: number[] = [];
    const chained = await new EntryChain(fakeLedger(asked)).link(
      db,
      [entry(1)],
      new Map(),
      new Map(),
      null,
    );
    expect(asked).toEqual([1]);
    expect(chained[0].id).toBe('100');
  });

  it("chains each account's entries from its locked head, in order, and leaves the new heads", async () => {
    const locked = new Map([
      ['alice', { last_entry_hash: 'f00d' } as AccountRecord],
      ['bob', { last_entry_hash: null } as AccountRecord],
    ]);
    const heads = new Map<string, string | null>();
    const [a1, b1, a2] = await new EntryChain(fakeLedger([])).link(
      db,
      [
        newLedgerEntry({ event_id: 'a1', user_id: 'alice' }),
        newLedgerEntry({ event_id: 'b1', user_id: 'bob' }),
        newLedgerEntry({ event_id: 'a2', user_id: 'alice' }),
      ],
      locked,
      heads,
      lockReserved,
    );
    expect(a1.entry_hash).toBe(entryHash('f00d', a1));
    expect(b1.entry_hash).toBe(entryHash(GENESIS_HASH, b1));
    expect(a2.entry_hash).toBe(entryHash(a1.entry_hash, a2));
    expect(a2.entry_hash).not.toBe(entryHash('f00d', a2));
    expect(heads).toEqual(
      new Map([
        ['alice', a2.entry_hash],
        ['bob', b1.entry_hash],
      ]),
    );
  });
});
