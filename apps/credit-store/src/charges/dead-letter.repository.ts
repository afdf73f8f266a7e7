import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DeadLetter } from './dead-letter.publisher';
import { textHeaders } from './text-headers';

/** Sent with a redriven message, so that if it is dead-lettered again the new letter says so. */
export const REDRIVE_OF_HEADER = 'tally-redrive-of';

/**
 * Where a letter stands: `open` (never redriven), `redriven` (sent again, not applied yet),
 * `applied` (redriven and its event_id is in the ledger), `dead_lettered_again` (redriven and
 * dead-lettered again: see `again`).
 */
export const DEAD_LETTER_STATUSES = ['open', 'redriven', 'applied', 'dead_lettered_again'] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/** A kept dead letter as admins read it: the original key, value and headers as text. */
export interface DeadLetterRow {
  id: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  code: string;
  reason: string;
  event_id: string | null;
  key: string | null;
  value: string | null;
  headers: Record<string, string> | null;
  failed_at: Date;
  redrive_of: string | null;
  redriven_at: Date | null;
  redrive_count: number;
  status: DeadLetterStatus;
  /** The letter its last redrive became, when it was dead-lettered again. */
  again: { id: string; code: string; reason: string } | null;
}

/** The message as kept, to send again. */
export interface StoredMessage {
  id: string;
  source_topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string> | null;
  status: DeadLetterStatus;
}

export interface DeadLetterFilter {
  after: string;
  limit: number;
  code?: string;
  status?: DeadLetterStatus;
  event_id?: string;
  from?: Date;
  to?: Date;
}

interface StoredRow extends Omit<DeadLetterRow, 'key' | 'value' | 'again'> {
  message_key: Buffer | null;
  message_value: Buffer | null;
  again_id: string | null;
  again_code: string | null;
  again_reason: string | null;
}

/** Where a letter came from, as keep() answers it: topic/partition/offset. */
export function originOf({ message }: DeadLetter): string {
  return `${message.topic}/${message.partition}/${message.offset}`;
}

/** An event_id the value names, if it is a JSON object with one (it may be anything). */
function eventIdOf(value: Buffer | null): string | null {
  if (!value || value.length > 1024 * 1024) return null;
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    const id = (parsed as { event_id?: unknown } | null)?.event_id;
    return typeof id === 'string' && id.length <= 200 ? id : null;
  } catch {
    return null;
  }
}

function redriveOf(letter: DeadLetter): string | null {
  const header = textHeaders(letter.message.headers)[REDRIVE_OF_HEADER];
  return header && /^\d{1,18}$/.test(header) ? header : null;
}

/** Each letter with its status (see DeadLetterStatus), computed from the ledger and later letters. */
const WITH_STATUS = `
  SELECT d.*,
         CASE WHEN d.redriven_at IS NULL THEN 'open'
              WHEN d.event_id IS NOT NULL
               AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.event_id = d.event_id) THEN 'applied'
              WHEN again.id IS NOT NULL THEN 'dead_lettered_again'
              ELSE 'redriven' END AS status,
         again.id::text AS again_id, again.code AS again_code, again.reason AS again_reason
    FROM dead_letters d
    LEFT JOIN LATERAL (
         SELECT n.id, n.code, n.reason FROM dead_letters n
          WHERE d.redriven_at IS NOT NULL AND n.id > d.id AND n.failed_at >= d.redriven_at
            AND (n.redrive_of = d.id OR (d.event_id IS NOT NULL AND n.event_id = d.event_id))
          ORDER BY n.id DESC LIMIT 1) again ON true`;

@Injectable()
export class DeadLetterRepository {
  /**
   * Keeps each letter once per origin: a letter of a batch delivered again leaves its row as it
   * was. Answers the ids of the letters kept now, by their origin (see originOf).
   */
  async keep(db: EntityManager, letters: DeadLetter[]): Promise<Map<string, string>> {
    if (letters.length === 0) return new Map();
    // As a CTE: TypeORM answers a bare INSERT ... RETURNING differently by driver version.
    const rows: { id: string; origin: string }[] = await db.query(
      `WITH kept AS (INSERT INTO dead_letters
              (source_topic, source_partition, source_offset, code, reason, message_key, message_value,
               message_headers, event_id, redrive_of)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[],
                            $6::bytea[], $7::bytea[], $8::jsonb[], $9::text[], $10::bigint[])
       ON CONFLICT ON CONSTRAINT dead_letters_origin DO NOTHING
       RETURNING id, source_topic, source_partition, source_offset)
       SELECT id::text, source_topic || '/' || source_partition || '/' || source_offset AS origin
         FROM kept`,
      [
        letters.map((l) => l.message.topic),
        letters.map((l) => l.message.partition),
        letters.map((l) => l.message.offset),
        letters.map((l) => l.code),
        letters.map((l) => l.reasons.join('; ')),
        letters.map((l) => l.message.key),
        letters.map((l) => l.message.value),
        letters.map((l) => JSON.stringify(textHeaders(l.message.headers))),
        letters.map((l) => eventIdOf(l.message.value)),
        letters.map(redriveOf),
      ],
    );
    return new Map(rows.map((row) => [row.origin, row.id]));
  }

  /**
   * In the order they were kept, after the id `after` (a reader's cursor), filtered. Ordered by
   * `l.id`: a bare `id` would name the output column `id::text` and sort "100" before "96".
   */
  async page(db: EntityManager, filter: DeadLetterFilter): Promise<DeadLetterRow[]> {
    const rows: StoredRow[] = await db.query(
      `SELECT id::text, source_topic, source_partition, source_offset::text, code, reason, event_id,
              message_key, message_value, message_headers AS headers, failed_at,
              redrive_of::text, redriven_at, redrive_count, status, again_id, again_code, again_reason
         FROM (${WITH_STATUS}
                WHERE d.id > $1 AND ($3::text IS NULL OR d.code = $3)
                  AND ($4::text IS NULL OR d.event_id = $4)
                  AND ($5::timestamptz IS NULL OR d.failed_at >= $5)
                  AND ($6::timestamptz IS NULL OR d.failed_at < $6)) l
        WHERE ($7::text IS NULL OR status = $7)
        ORDER BY l.id LIMIT $2`,
      [
        filter.after,
        filter.limit,
        filter.code ?? null,
        filter.event_id ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.status ?? null,
      ],
    );
    return rows.map(
      ({ message_key, message_value, again_id, again_code, again_reason, ...row }) => ({
        ...row,
        key: message_key?.toString() ?? null,
        value: message_value?.toString() ?? null,
        again: again_id ? { id: again_id, code: again_code!, reason: again_reason! } : null,
      }),
    );
  }

  /** The messages to send again, with their status. */
  async messages(db: EntityManager, ids: string[]): Promise<StoredMessage[]> {
    const rows: (StoredMessage & { message_key: Buffer | null; message_value: Buffer | null })[] =
      await db.query(
        `SELECT id::text, source_topic, message_key, message_value, message_headers AS headers, status
           FROM (${WITH_STATUS} WHERE d.id = ANY($1::bigint[])) l ORDER BY l.id`,
        [ids],
      );
    return rows.map(({ message_key, message_value, ...row }) => ({
      ...row,
      key: message_key,
      value: message_value,
    }));
  }

  async markRedriven(db: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await db.query(
      `UPDATE dead_letters SET redriven_at = now(), redrive_count = redrive_count + 1
        WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  /** Letters never redriven, and all of them (for the console's overview). */
  async counts(db: EntityManager): Promise<{ open: number; total: number }> {
    const [row]: { open: string; total: string }[] = await db.query(
      `SELECT count(*) FILTER (WHERE redriven_at IS NULL) AS open, count(*) AS total
         FROM dead_letters`,
    );
    return { open: Number(row.open), total: Number(row.total) };
  }
}
