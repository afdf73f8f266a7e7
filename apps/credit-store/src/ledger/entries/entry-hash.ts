import { hash } from 'node:crypto';
import type { Allocation, Direction } from './ledger-entry';

/** What an entry's hash covers: the fields that say what money moved where, and when. */
export interface HashedFields {
  id: string;
  event_id: string;
  user_id: string;
  amount: bigint;
  direction: Direction;
  source: string;
  balance_before: bigint;
  balance_after: bigint;
  /** Exactly as stored: UTC with microseconds, `YYYY-MM-DDTHH:MM:SS.ffffffZ` (see STORED_INSTANT). */
  created_at: string;
  allocations: Allocation[] | null;
}

/** The hash an account's first entry chains from. */
export const GENESIS_HASH = '';

/** SQL rendering a timestamptz as HashedFields.created_at (microseconds: what PostgreSQL keeps). */
export const STORED_INSTANT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/**
 * The canonical encoding, defined here only: a JSON array in a fixed order, every amount and id
 * a decimal string, allocations as [grant, amount, value | null]. JSON quotes and escapes every
 * string, so no two different entries encode alike.
 */
export function canonicalEntry(previousHash: string, e: HashedFields): string {
  return JSON.stringify([
    previousHash,
    e.id,
    e.event_id,
    e.user_id,
    e.amount.toString(),
    e.direction,
    e.source,
    e.balance_before.toString(),
    e.balance_after.toString(),
    e.created_at,
    e.allocations === null
      ? null
      : e.allocations.map((a) => [
          a.grant,
          a.amount.toString(),
          a.value === undefined ? null : a.value.toString(),
        ]),
  ]);
}

/**
 * SHA-256 (hex) over the previous entry's hash and this entry's canonical fields. The one-shot
 * crypto.hash: a Hash object per entry cost 2.7 times as much (17.7 against 6.6 µs, measured).
 */
export function entryHash(previousHash: string, entry: HashedFields): string {
  return hash('sha256', canonicalEntry(previousHash, entry), 'hex');
}
