import type { EntityManager } from 'typeorm';
import type { StoredEntry } from './chain-check';
import { ChainStep, walkChains } from './chain-walk';
import type { AccountHead, EntryChainRepository } from './entry-chain.repository';

/** The repository's paging over arrays already in its order (user_id, then id). */
function fakeChains(accounts: AccountHead[], entries: StoredEntry[]): EntryChainRepository {
  return {
    accountHeads: (
      _db: EntityManager,
      after: string | null,
      users: string[] | null,
      limit: number,
    ) =>
      Promise.resolve(
        accounts
          .filter(
            (a) => (after === null || a.user_id > after) && (!users || users.includes(a.user_id)),
          )
          .slice(0, limit),
      ),
    entries: (
      _db: EntityManager,
      range: { first: string; last: string; users: string[] | null },
      after: { user_id: string; id: string } | null,
      limit: number,
    ) =>
      Promise.resolve(
        entries
          .filter(
            (e) =>
              e.user_id >= range.first &&
              e.user_id <= range.last &&
              (!range.users || range.users.includes(e.user_id)) &&
              (after === null ||
                e.user_id > after.user_id ||
                (e.user_id === after.user_id && Number(e.id) > Number(after.id))),
          )
          .slice(0, limit),
      ),
  } as unknown as EntryChainRepository;
}

const entry = (user_id: string, id: number) => ({ user_id, id: String(id) }) as StoredEntry;
const head = (user_id: string): AccountHead => ({ user_id, last_entry_hash: null });

async function steps(chains: EntryChainRepository, users: string[] | null = null) {
  const seen: string[] = [];
  const options = { users, accountsPerPage: 2, entriesPerPage: 2 };
  for await (const step of walkChains({} as EntityManager, chains, options)) seen.push(show(step));
  return seen;
}

const show = (step: ChainStep) =>
  step.kind === 'entry'
    ? `${step.entry.user_id}#${step.entry.id}`
    : `${step.kind} ${step.account.user_id}`;

describe('walkChains', () => {
  const accounts = ['a', 'b', 'c', 'd', 'e'].map(head);
  const entries = [
    entry('a', 1),
    entry('a', 4),
    entry('a', 7),
    entry('c', 2),
    entry('d', 3),
    entry('e', 5),
    entry('e', 6),
  ];

  it('opens and closes every account once, entries in order, across page boundaries', async () => {
    expect(await steps(fakeChains(accounts, entries))).toEqual([
      'open a',
      'a#1',
      'a#4',
      'a#7',
      'close a',
      'open b',
      'close b',
      'open c',
      'c#2',
      'close c',
      'open d',
      'd#3',
      'close d',
      'open e',
      'e#5',
      'e#6',
      'close e',
    ]);
  });

  it('walks only the accounts asked for', async () => {
    expect(await steps(fakeChains(accounts, entries), ['c', 'e'])).toEqual([
      'open c',
      'c#2',
      'close c',
      'open e',
      'e#5',
      'e#6',
      'close e',
    ]);
  });

  it('yields nothing for an empty ledger', async () => {
    expect(await steps(fakeChains([], []))).toEqual([]);
  });
});
