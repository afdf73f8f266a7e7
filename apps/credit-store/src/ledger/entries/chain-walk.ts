import type { EntityManager } from 'typeorm';
import type { StoredEntry } from './chain-check';
import type { AccountHead, EntryChainRepository } from './entry-chain.repository';

export type ChainStep =
  | { kind: 'open'; account: AccountHead }
  | { kind: 'entry'; entry: StoredEntry }
  | { kind: 'close'; account: AccountHead };

export interface ChainWalkOptions {
  /** Only these accounts (null: all of them). */
  users: string[] | null;
  accountsPerPage?: number;
  entriesPerPage?: number;
}

/**
 * Every account's chain in the order it was written (accounts by user_id, entries by id), a page
 * at a time: memory stays bounded by the page sizes however large the ledger. Run it in one
 * REPEATABLE READ transaction for one consistent view. An entry of no known account is yielded
 * between accounts (with no `open` before it).
 */
export async function* walkChains(
  db: EntityManager,
  chains: EntryChainRepository,
  { users, accountsPerPage = 500, entriesPerPage = 2000 }: ChainWalkOptions,
): AsyncGenerator<ChainStep> {
  let afterUser: string | null = null;
  for (;;) {
    const accounts = await chains.accountHeads(db, afterUser, users, accountsPerPage);
    if (accounts.length === 0) return;
    const position = new Map(accounts.map((a, index) => [a.user_id, index]));
    const range = { first: accounts[0].user_id, last: accounts.at(-1)!.user_id, users };
    let current = -1;
    let after: { user_id: string; id: string } | null = null;
    for (;;) {
      const entries = await chains.entries(db, range, after, entriesPerPage);
      for (const entry of entries) {
        const index = position.get(entry.user_id);
        if (index !== undefined && index > current) {
          for (let i = current; i < index; i += 1) {
            if (i >= 0) yield { kind: 'close', account: accounts[i] };
            yield { kind: 'open', account: accounts[i + 1] };
          }
          current = index;
        }
        yield { kind: 'entry', entry };
      }
      if (entries.length < entriesPerPage) break;
      const last = entries.at(-1)!;
      after = { user_id: last.user_id, id: last.id };
    }
    for (let i = current; i < accounts.length; i += 1) {
      if (i >= 0) yield { kind: 'close', account: accounts[i] };
      if (i + 1 < accounts.length) yield { kind: 'open', account: accounts[i + 1] };
    }
    afterUser = range.last;
  }
}
