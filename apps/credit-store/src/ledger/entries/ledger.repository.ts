import { runStatement } from '@tally/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  reservationSql,
  reservedIds,
  type ReservationRow,
  type ReservedIds,
} from './id-reservation';
import type { ChainedEntry, EntryActor, LedgerEntry } from './ledger-entry';

interface EntryRow {
  id: string;
  event_id: string;
  user_id: string;
  source: string;
  direction: 'income' | 'expense';
  amount: string;
  balance_before: string;
  balance_after: string;
  status: 'applied' | 'rejected';
  description: string | null;
  metadata: Record<string, unknown>;
  pricing: object | null;
  source_ref_id: string | null;
  order_id: string | null;
  hold_id: string | null;
  occurred_at: Date | null;
  created_at: Date;
  allocations: { grant: string; amount: string; value?: string }[] | null;
  actor: EntryActor | null;
}

function fromRow(row: EntryRow): LedgerEntry {
  return {
    ...row,
    amount: BigInt(row.amount),
    balance_before: BigInt(row.balance_before),
    balance_after: BigInt(row.balance_after),
    occurred_at: row.occurred_at ? row.occurred_at.toISOString() : null,
    allocations: row.allocations
      ? row.allocations.map((a) =>
          a.value === undefined
            ? { grant: a.grant, amount: BigInt(a.amount) }
            : { grant: a.grant, amount: BigInt(a.amount), value: BigInt(a.value) },
        )
      : null,
  };
}

const COLUMNS = `id, event_id, user_id, source, direction, amount, balance_before, balance_after, status,
                 description, metadata, pricing, source_ref_id, order_id, hold_id, occurred_at, created_at,
                 allocations, actor`;

export interface LedgerPageQuery {
  userId: string;
  limit: number;
  /** Entries with a smaller id than this (the previous page's last). */
  beforeId?: string;
  source?: string;
  from?: Date;
  to?: Date;
}

@Injectable()
export class LedgerRepository {
  async findByEventIds(db: EntityManager, eventIds: string[]): Promise<Map<string, LedgerEntry>> {
    const rows: EntryRow[] = await runStatement(db, {
      name: 'entries_find_by_event',
      text: `SELECT ${COLUMNS} FROM ledger_entries WHERE event_id = ANY($1::text[])`,
      values: [[...new Set(eventIds)]],
    });
    return new Map(rows.map((row) => [row.event_id, fromRow(row)]));
  }

  async findByEventId(db: EntityManager, eventId: string): Promise<LedgerEntry | undefined> {
    return (await this.findByEventIds(db, [eventId])).get(eventId);
  }

  /** How much of each of these charges was refunded already. */
  async sumRefunds(db: EntityManager, chargeEventIds: string[]): Promise<Map<string, bigint>> {
    if (chargeEventIds.length === 0) return new Map();
    const rows: { refund_of: string; refunded: string }[] = await runStatement(db, {
      name: 'entries_sum_refunds',
      text: `SELECT source_ref_id AS refund_of, SUM(amount) AS refunded FROM ledger_entries
        WHERE source = 'refund' AND status = 'applied' AND source_ref_id = ANY($1::text[])
        GROUP BY source_ref_id`,
      values: [[...new Set(chargeEventIds)]],
    });
    return new Map(rows.map((row) => [row.refund_of, BigInt(row.refunded)]));
  }

  /**
   * Ids for the next `count` entries, ascending, and the instant they are created at (the
   * transaction's start, as stored: microseconds), so that their hashes can be computed before
   * they are written (see entry-hash.ts). Most batches have theirs from the accounts' lock
   * already (AccountRepository.lockAndReserve); this is for the entries beyond those.
   */
  async reserveIds(db: EntityManager, count: number): Promise<ReservedIds> {
    const [row]: ReservationRow[] = await runStatement(db, {
      name: 'entries_reserve_ids',
      text: reservationSql('$1::int'),
      values: [count],
    });
    return reservedIds(row);
  }

  /**
   * One statement for the whole batch, with the ids and instant reserved for it. The rows go over
   * as one JSON document (PostgreSQL parses it in C; encoding a dozen text[] parameters element by
   * element was a tenth of the consumer's time); occurred_at is an instant with its offset
   * (IsInstant), the rest is what was written.
   */
  async insertEntries(
    db: EntityManager,
    entries: ChainedEntry[],
  ): Promise<Map<string, LedgerEntry>> {
    if (entries.length === 0) return new Map();
    await runStatement(db, {
      name: 'entries_insert',
      text: `INSERT INTO ledger_entries (id, event_id, user_id, source, direction, amount,
                                     balance_before, balance_after, status, description, metadata,
                                     pricing, source_ref_id, order_id, hold_id, occurred_at,
                                     allocations, created_at, entry_hash)
         SELECT id, event_id, user_id, source, direction, amount, balance_before, balance_after,
                status, description, metadata, pricing, source_ref_id, order_id, hold_id,
                occurred_at, allocations, created_at, decode(entry_hash, 'hex')
           FROM json_to_recordset($1::json) AS e (
                  id bigint, event_id text, user_id text, source text, direction text,
                  amount bigint, balance_before bigint, balance_after bigint, status text,
                  description text, metadata jsonb, pricing jsonb, source_ref_id text,
                  order_id text, hold_id text, occurred_at timestamptz, allocations jsonb,
                  created_at timestamptz, entry_hash text)`,
      values: [JSON.stringify(entries.map(entryJson))],
    });
    return new Map(
      entries.map((entry) => [
        entry.event_id,
        {
          ...entry,
          created_at: new Date(entry.created_at),
          occurred_at: entry.occurred_at === null ? null : asStored(entry.occurred_at),
        },
      ]),
    );
  }

  /** Newest first, keyset-paginated by id (stable under concurrent inserts). */
  async findPage(db: EntityManager, query: LedgerPageQuery): Promise<LedgerEntry[]> {
    const rows: EntryRow[] = await db.query(
      `SELECT ${COLUMNS} FROM ledger_entries
        WHERE user_id = $1
          AND ($2::bigint IS NULL OR id < $2)
          AND ($3::text IS NULL OR source = $3)
          AND ($4::timestamptz IS NULL OR created_at >= $4)
          AND ($5::timestamptz IS NULL OR created_at < $5)
        ORDER BY id DESC
        LIMIT $6`,
      [
        query.userId,
        query.beforeId ?? null,
        query.source ?? null,
        query.from ?? null,
        query.to ?? null,
        query.limit,
      ],
    );
    return rows.map(fromRow);
  }
}

/** A row of insertEntries' document; amounts as strings (exact), allocations' too. */
function entryJson(e: ChainedEntry) {
  return {
    id: e.id,
    created_at: e.created_at,
    entry_hash: e.entry_hash,
    event_id: e.event_id,
    user_id: e.user_id,
    source: e.source,
    direction: e.direction,
    amount: e.amount.toString(),
    balance_before: e.balance_before.toString(),
    balance_after: e.balance_after.toString(),
    status: e.status,
    description: e.description,
    metadata: e.metadata,
    pricing: e.pricing,
    source_ref_id: e.source_ref_id,
    order_id: e.order_id,
    hold_id: e.hold_id,
    occurred_at: e.occurred_at,
    allocations: e.allocations
      ? e.allocations.map((a) =>
          a.value === undefined
            ? { grant: a.grant, amount: a.amount.toString() }
            : { grant: a.grant, amount: a.amount.toString(), value: a.value.toString() },
        )
      : null,
  };
}

const CANONICAL_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** An instant as it reads back from the database: UTC with milliseconds (most already are). */
function asStored(instant: string): string {
  return CANONICAL_INSTANT.test(instant) ? instant : new Date(instant).toISOString();
}
