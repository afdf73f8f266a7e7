import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { StoredEntry } from './chain-check';
import { STORED_INSTANT } from './entry-hash';
import type { Direction } from './ledger-entry';

interface ChainRow {
  id: string;
  event_id: string;
  user_id: string;
  amount: string;
  direction: Direction;
  source: string;
  balance_before: string;
  balance_after: string;
  created_at: string;
  allocations: { grant: string; amount: string | number; value?: string | number }[] | null;
  entry_hash: Buffer | null;
}

function fromRow(row: ChainRow): StoredEntry {
  return {
    ...row,
    amount: BigInt(row.amount),
    balance_before: BigInt(row.balance_before),
    balance_after: BigInt(row.balance_after),
    allocations:
      row.allocations?.map((a) =>
        a.value === undefined || a.value === null
          ? { grant: a.grant, amount: BigInt(a.amount) }
          : { grant: a.grant, amount: BigInt(a.amount), value: BigInt(a.value) },
      ) ?? null,
    entry_hash: row.entry_hash?.toString('hex') ?? null,
  };
}

/** A run of accounts, each with the head of its chain. */
export interface AccountHead {
  user_id: string;
  last_entry_hash: string | null;
}

/** Keyset-paged reads of the hash chains, in the order they were written (account, then id). */
@Injectable()
export class EntryChainRepository {
  /** The next `limit` accounts after `afterUserId` (null: from the first), among `users` if given. */
  async accountHeads(
    db: EntityManager,
    afterUserId: string | null,
    users: string[] | null,
    limit: number,
  ): Promise<AccountHead[]> {
    const rows: { user_id: string; last_entry_hash: Buffer | null }[] = await db.query(
      `SELECT user_id, last_entry_hash FROM accounts
        WHERE ($1::text IS NULL OR user_id > $1) AND ($2::text[] IS NULL OR user_id = ANY($2))
        ORDER BY user_id LIMIT $3`,
      [afterUserId, users, limit],
    );
    return rows.map((row) => ({
      user_id: row.user_id,
      last_entry_hash: row.last_entry_hash?.toString('hex') ?? null,
    }));
  }

  /**
   * The next `limit` entries of the accounts from `first` to `last` (user_id order), after the
   * entry `after` (null: from the start of `first`), among `users` if given.
   */
  async entries(
    db: EntityManager,
    range: { first: string; last: string; users: string[] | null },
    after: { user_id: string; id: string } | null,
    limit: number,
  ): Promise<StoredEntry[]> {
    const rows: ChainRow[] = await db.query(
      // Ordered by the table's columns (e.id), not the text the SELECT makes of them.
      `SELECT e.id::text AS id, event_id, user_id, amount::text, direction, source,
              balance_before::text, balance_after::text,
              to_char(created_at AT TIME ZONE 'UTC', ${STORED_INSTANT}) AS created_at,
              allocations, entry_hash
         FROM ledger_entries AS e
        WHERE e.user_id >= $1 AND e.user_id <= $2 AND ($3::text[] IS NULL OR e.user_id = ANY($3))
          AND ($4::text IS NULL OR (e.user_id, e.id) > ($4, $5::bigint))
        ORDER BY e.user_id, e.id LIMIT $6`,
      [range.first, range.last, range.users, after?.user_id ?? null, after?.id ?? null, limit],
    );
    return rows.map(fromRow);
  }

  /** Stores hashes computed for entries already written (a back-fill: the append-only trigger must be off). */
  async setHashes(db: EntityManager, ids: string[], hashes: string[]): Promise<void> {
    await db.query(
      `UPDATE ledger_entries AS e SET entry_hash = decode(u.hash, 'hex')
         FROM unnest($1::bigint[], $2::text[]) AS u (id, hash) WHERE e.id = u.id`,
      [ids, hashes],
    );
  }

  async setHeads(db: EntityManager, userIds: string[], heads: (string | null)[]): Promise<void> {
    await db.query(
      `UPDATE accounts AS a SET last_entry_hash = decode(u.head, 'hex')
         FROM unnest($1::text[], $2::text[]) AS u (user_id, head) WHERE a.user_id = u.user_id`,
      [userIds, heads],
    );
  }
}
