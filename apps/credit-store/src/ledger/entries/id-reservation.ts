import { STORED_INSTANT } from './entry-hash';
import type { EntryActor } from './ledger-entry';

/** Ids for the next entries, ascending, and the instant and actor they are written with. */
export interface ReservedIds {
  ids: string[];
  /** The transaction's start, as stored (microseconds, UTC): see entry-hash.ts. */
  created_at: string;
  actor: EntryActor | null;
}

/**
 * One row (ids, created_at, actor) reserving `count` (an SQL expression) ids from the entries'
 * sequence. The one definition for both statements that reserve: LedgerRepository.reserveIds
 * and the accounts' lock, which reserves in the same round trip once it holds every lock.
 */
export function reservationSql(count: string): string {
  return `SELECT coalesce(array_agg(id::text ORDER BY id), '{}') AS ids,
                 to_char(now() AT TIME ZONE 'UTC', ${STORED_INSTANT}) AS created_at,
                 nullif(current_setting('tally.actor', true), '')::jsonb AS actor
            FROM (SELECT nextval('ledger_entries_id_seq') AS id
                    FROM generate_series(1, ${count})) AS reserved`;
}
