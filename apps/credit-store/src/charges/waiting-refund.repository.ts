import { Injectable } from '@nestjs/common';
import type { InboundMessage } from '@tally/platform';
import type { EntityManager } from 'typeorm';
import { textHeaders } from './text-headers';

export interface WaitingRefund {
  event_id: string;
  user_id: string;
  refund_of: string;
  message: InboundMessage;
}

interface WaitingRow {
  event_id: string;
  user_id: string;
  refund_of: string;
  topic: string;
  partition: number;
  offset: string;
  message_key: Buffer | null;
  value: Buffer;
  headers: Record<string, string>;
}

function fromRow(row: WaitingRow): WaitingRefund {
  return {
    event_id: row.event_id,
    user_id: row.user_id,
    refund_of: row.refund_of,
    message: {
      topic: row.topic,
      partition: row.partition,
      offset: row.offset,
      key: row.message_key,
      value: row.value,
      headers: row.headers,
    },
  };
}

const COLUMNS = `event_id, user_id, refund_of, topic, partition, "offset", message_key, value, headers`;

/** Refunds set aside until their charge is in the ledger (or they have waited too long). */
@Injectable()
export class WaitingRefundRepository {
  /** Keeps the first time each was seen: a redelivery does not make it wait longer. */
  async park(db: EntityManager, refunds: WaitingRefund[]): Promise<void> {
    if (refunds.length === 0) return;
    const col = <T>(pick: (r: WaitingRefund) => T) => refunds.map(pick);
    await db.query(
      `INSERT INTO waiting_refunds (${COLUMNS})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[],
                            $7::bytea[], $8::bytea[], $9::jsonb[])
       ON CONFLICT (event_id) DO NOTHING`,
      [
        col((r) => r.event_id),
        col((r) => r.user_id),
        col((r) => r.refund_of),
        col((r) => r.message.topic),
        col((r) => r.message.partition),
        col((r) => r.message.offset),
        col((r) => r.message.key),
        col((r) => r.message.value ?? Buffer.alloc(0)),
        col((r) => JSON.stringify(textHeaders(r.message.headers))),
      ],
    );
  }

  /** The waiting refunds whose charge is now in the ledger. */
  async findCharged(db: EntityManager, limit: number): Promise<WaitingRefund[]> {
    const rows: WaitingRow[] = await db.query(
      `SELECT ${COLUMNS} FROM waiting_refunds w
        WHERE EXISTS (SELECT 1 FROM ledger_entries e WHERE e.event_id = w.refund_of)
        ORDER BY first_seen_at LIMIT $1`,
      [limit],
    );
    return rows.map(fromRow);
  }

  /** Takes these out of the waiting list; answers those this transaction took. */
  async remove(db: EntityManager, eventIds: string[]): Promise<string[]> {
    if (eventIds.length === 0) return [];
    const rows: { event_id: string }[] = await db.query(
      `WITH removed AS (DELETE FROM waiting_refunds WHERE event_id = ANY($1::text[])
                        RETURNING event_id)
       SELECT event_id FROM removed`,
      [eventIds],
    );
    return rows.map((row) => row.event_id);
  }

  /** Takes out those that waited longer than `seconds` for a charge that never came. */
  async removeOverdue(db: EntityManager, seconds: number, limit: number): Promise<WaitingRefund[]> {
    const rows: WaitingRow[] = await db.query(
      `WITH removed AS (
         DELETE FROM waiting_refunds w
          WHERE event_id IN (SELECT event_id FROM waiting_refunds
                              WHERE first_seen_at <= now() - make_interval(secs => $1)
                              ORDER BY first_seen_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            AND NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.event_id = w.refund_of)
          RETURNING ${COLUMNS})
       SELECT * FROM removed`,
      [seconds, limit],
    );
    return rows.map(fromRow);
  }

  async count(db: EntityManager): Promise<number> {
    const [row]: { n: string }[] = await db.query(`SELECT count(*) AS n FROM waiting_refunds`);
    return Number(row.n);
  }
}
