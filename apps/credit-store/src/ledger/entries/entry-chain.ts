import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AccountRecord } from '../accounts/account.repository';
import { chainEntries } from './entry-hash';
import type { ChainedEntry, NewLedgerEntry } from './ledger-entry';
import { LedgerRepository } from './ledger.repository';

/**
 * The chain's share of writing entries: their ids and instant reserved before they are written,
 * and each hashed onto the one before it on its account. One component so that bench/chain-cost.ts
 * can measure the apply path without it (its baseline replaces this class; production has no
 * switch that leaves entries unhashed).
 */
@Injectable()
export class EntryChain {
  constructor(private readonly ledger: LedgerRepository) {}

  /**
   * The entries with their ids, instant and hashes, each chained to the one before it on its
   * account (the locked row's head); `heads` receives the accounts' new heads. Under the
   * accounts' locks, so an account's chain follows its entries' ids.
   */
  async link(
    db: EntityManager,
    entries: NewLedgerEntry[],
    locked: ReadonlyMap<string, AccountRecord>,
    heads: Map<string, string | null>,
  ): Promise<ChainedEntry[]> {
    if (entries.length === 0) return [];
    const { ids, created_at, actor } = await this.ledger.reserveIds(db, entries.length);
    for (const { user_id } of entries) {
      heads.set(user_id, locked.get(user_id)?.last_entry_hash ?? null);
    }
    const chained: ChainedEntry[] = entries.map((entry, index) => ({
      ...entry,
      id: ids[index],
      created_at,
      entry_hash: '',
      actor,
    }));
    chainEntries(chained, heads).forEach((hash, index) => (chained[index].entry_hash = hash));
    return chained;
  }
}
