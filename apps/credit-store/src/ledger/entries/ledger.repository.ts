import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { LedgerEntry, NewLedgerEntry } from './ledger-entry';

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
                 allocations`;

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
    const rows: EntryRow[] = await db.query(
      `SELECT ${COLUMNS} FROM ledger_entries WHERE event_id = ANY($1::text[])`,
      [[...new Set(eventIds)]],
    );
    return new Map(rows.map((row) => [row.event_id, fromRow(row)]));
  }

  async findByEventId(db: EntityManager, eventId: string): Promise<LedgerEntry | undefined> {
    return (await this.findByEventIds(db, [eventId])).get(eventId);
  }

  /** How much of each of these charges was refunded already. */
  async sumRefunds(db: EntityManager, chargeEventIds: string[]): Promise<Map<string, bigint>> {
    if (chargeEventIds.length === 0) return new Map();
    const rows: { refund_of: string; refunded: string }[] = await db.query(
      `SELECT source_ref_id AS refund_of, SUM(amount) AS refunded FROM ledger_entries
        WHERE source = 'refund' AND status = 'applied' AND source_ref_id = ANY($1::text[])
        GROUP BY source_ref_id`,
      [[...new Set(chargeEventIds)]],
    );
    return new Map(rows.map((row) => [row.refund_of, BigInt(row.refunded)]));
  }

  /**
   * One statement for the whole batch, in the given order (ids follow it). Only what the database
   * adds comes back (id, created_at, occurred_at as stored): the rest is what was written, and
   * returning every column of thousands of rows (jsonb included) cost the consumer a tenth of its
   * time.
   */
  async insertEntries(
    db: EntityManager,
    entries: NewLedgerEntry[],
  ): Promise<Map<string, LedgerEntry>> {
    if (entries.length === 0) return new Map();
    const col = <T>(pick: (e: NewLedgerEntry) => T) => entries.map(pick);
    const rows: { id: string; event_id: string; created_at: Date; occurred_at: Date | null }[] =
      await db.query(
        `INSERT INTO ledger_entries (event_id, user_id, source, direction, amount, balance_before,
                                   balance_after, status, description, metadata, pricing,
                                   source_ref_id, order_id, hold_id, occurred_at, allocations)
       SELECT event_id, user_id, source, direction, amount, balance_before, balance_after, status,
              description, metadata, pricing, source_ref_id, order_id, hold_id, occurred_at,
              allocations
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[],
                     $7::bigint[], $8::text[], $9::text[], $10::jsonb[], $11::jsonb[],
                     $12::text[], $13::text[], $14::text[], $15::timestamptz[], $16::jsonb[])
              WITH ORDINALITY
              AS e (event_id, user_id, source, direction, amount, balance_before, balance_after, status,
                    description, metadata, pricing, source_ref_id, order_id, hold_id, occurred_at,
                    allocations, seq)
        ORDER BY seq
       RETURNING id, event_id, created_at, occurred_at`,
        [
          col((e) => e.event_id),
          col((e) => e.user_id),
          col((e) => e.source),
          col((e) => e.direction),
          col((e) => e.amount.toString()),
          col((e) => e.balance_before.toString()),
          col((e) => e.balance_after.toString()),
          col((e) => e.status),
          col((e) => e.description),
          col((e) => JSON.stringify(e.metadata)),
          col((e) => (e.pricing ? JSON.stringify(e.pricing) : null)),
          col((e) => e.source_ref_id),
          col((e) => e.order_id),
          col((e) => e.hold_id),
          col((e) => e.occurred_at),
          // Amounts as JSON strings: jsonb numbers would be exact too, but strings read back as-is.
          col((e) =>
            e.allocations
              ? JSON.stringify(
                  e.allocations.map((a) =>
                    a.value === undefined
                      ? { grant: a.grant, amount: a.amount.toString() }
                      : { grant: a.grant, amount: a.amount.toString(), value: a.value.toString() },
                  ),
                )
              : null,
          ),
        ],
      );
    const written = new Map(entries.map((entry) => [entry.event_id, entry]));
    return new Map(
      rows.map((row) => [
        row.event_id,
        {
          ...written.get(row.event_id)!,
          id: row.id,
          created_at: row.created_at,
          occurred_at: row.occurred_at ? row.occurred_at.toISOString() : null,
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
