import type { EntityManager } from 'typeorm';
import type { AccountRecord } from '../accounts/account.repository';
import type { NewLedgerEntry } from '../entries/ledger-entry';
import type { AccountFact } from './account-events';

/**
 * A feature told of every ledger change inside its transaction, under the accounts' locks, once
 * the entries are written (auto top-up): what it writes commits or rolls back with them, and the
 * facts it answers are numbered right after the entries' own events. It must not throw for a
 * business reason: that would refuse the ledger change itself.
 */
export interface EntryWatcher {
  factsOf(
    db: EntityManager,
    entries: readonly NewLedgerEntry[],
    accounts: ReadonlyMap<string, AccountRecord>,
  ): Promise<AccountFact[]>;
}
