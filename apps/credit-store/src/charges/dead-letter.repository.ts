import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DeadLetter } from './dead-letter.publisher';

/** A kept dead letter as admins read it: the original key and value as text. */
export interface DeadLetterRow {
  id: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  code: string;
  reason: string;
  key: string | null;
  value: string | null;
  failed_at: Date;
}

interface StoredRow extends Omit<DeadLetterRow, 'key' | 'value'> {
  message_key: Buffer | null;
  message_value: Buffer | null;
}

@Injectable()
export class DeadLetterRepository {
  /** Keeps each letter once per origin: a letter of a batch delivered again leaves its row as it was. */
  async keep(db: EntityManager, letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    await db.query(
      `INSERT INTO dead_letters
              (source_topic, source_partition, source_offset, code, reason, message_key, message_value)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[],
                            $6::bytea[], $7::bytea[])
       ON CONFLICT ON CONSTRAINT dead_letters_origin DO NOTHING`,
      [
        letters.map((l) => l.message.topic),
        letters.map((l) => l.message.partition),
        letters.map((l) => l.message.offset),
        letters.map((l) => l.code),
        letters.map((l) => l.reasons.join('; ')),
        letters.map((l) => l.message.key),
        letters.map((l) => l.message.value),
      ],
    );
  }

  /** In the order they were kept, after the id `after` (a reader's cursor). */
  async page(db: EntityManager, after: string, limit: number): Promise<DeadLetterRow[]> {
    const rows: StoredRow[] = await db.query(
      `SELECT id::text, source_topic, source_partition, source_offset::text, code, reason,
              message_key, message_value, failed_at
         FROM dead_letters WHERE id > $1 ORDER BY id LIMIT $2`,
      [after, limit],
    );
    return rows.map(({ message_key, message_value, ...row }) => ({
      ...row,
      key: message_key?.toString() ?? null,
      value: message_value?.toString() ?? null,
    }));
  }
}
