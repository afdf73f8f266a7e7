import { entryHash, GENESIS_HASH, HashedFields } from './entry-hash';

/** An entry as stored, with the hash written with it (null: written without one). */
export interface StoredEntry extends HashedFields {
  entry_hash: string | null;
}

/** Where a chain first fails to match what is stored. */
export interface ChainBreak {
  user_id: string;
  /** The entry whose stored hash is not the one recomputed; null for an account with no entries. */
  entry_id: string | null;
  event_id: string | null;
}

/**
 * Walks accounts' chains in order, entry by entry: open an account, check its entries in id
 * order, close it with the head its row records. Each entry is checked against its stored
 * predecessor, so one edited entry is one break (at that entry, not at every one after it); a
 * removed last entry shows when the account's head no longer matches.
 */
export class ChainCheck {
  accounts = 0;
  entries = 0;
  firstBreak: ChainBreak | null = null;
  private userId: string | null = null;
  private previous = GENESIS_HASH;
  private lastEntry: { id: string; event_id: string } | null = null;

  open(userId: string): void {
    this.userId = userId;
    this.previous = GENESIS_HASH;
    this.lastEntry = null;
    this.accounts += 1;
  }

  check(entry: StoredEntry): void {
    if (entry.user_id !== this.userId) {
      // An entry of no account (accounts are never deleted): nothing it could chain from.
      this.broke({ user_id: entry.user_id, entry_id: entry.id, event_id: entry.event_id });
      return;
    }
    this.entries += 1;
    const expected = entryHash(this.previous, entry);
    if (entry.entry_hash !== expected) {
      this.broke({ user_id: entry.user_id, entry_id: entry.id, event_id: entry.event_id });
    }
    this.previous = entry.entry_hash ?? expected;
    this.lastEntry = { id: entry.id, event_id: entry.event_id };
  }

  /** `head`: the account row's last_entry_hash (null: no entry hashed yet). */
  close(head: string | null): void {
    if (this.userId !== null && (head ?? GENESIS_HASH) !== this.previous) {
      this.broke({
        user_id: this.userId,
        entry_id: this.lastEntry?.id ?? null,
        event_id: this.lastEntry?.event_id ?? null,
      });
    }
    this.userId = null;
  }

  get ok(): boolean {
    return this.firstBreak === null;
  }

  private broke(at: ChainBreak): void {
    this.firstBreak ??= at;
  }
}
