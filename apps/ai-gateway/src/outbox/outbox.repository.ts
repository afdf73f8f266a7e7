import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { keyBucket } from './key-bucket';

export interface OutboxMessage {
  topic: string;
  key: string;
  eventId: string;
  eventType: string;
  payload: object;
}

export interface PendingOutboxRow extends OutboxMessage {
  id: string;
}

/** Namespace of the relays' advisory locks (the second key is the bucket). */
const RELAY_LOCK_NAMESPACE = 74_113;

@Injectable()
export class OutboxRepository {
  /** Called inside the transaction that records what the message announces. */
  async enqueue(db: EntityManager, message: OutboxMessage): Promise<void> {
    await db.query(
      `INSERT INTO outbox (event_id, topic, message_key, key_bucket, event_type, payload)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        message.eventId,
        message.topic,
        message.key,
        keyBucket(message.key),
        message.eventType,
        message.payload,
      ],
    );
  }

  /**
   * Takes transaction-scoped advisory locks on up to `max` buckets that have unpublished rows and
   * that no other relay holds, in random order so that several relays spread over the buckets.
   * (The lock call is volatile, so PostgreSQL evaluates it after the shuffle, row by row, and stops
   * at the limit: no lock is taken on a bucket that is not returned.)
   */
  async lockPendingBuckets(db: EntityManager, max: number): Promise<number[]> {
    const rows: { key_bucket: number }[] = await db.query(
      `SELECT key_bucket
         FROM (SELECT key_bucket
                 FROM (SELECT DISTINCT key_bucket FROM outbox WHERE published_at IS NULL) distinct_buckets
                ORDER BY random()) pending
        WHERE pg_try_advisory_xact_lock($1, key_bucket)
        LIMIT $2`,
      [RELAY_LOCK_NAMESPACE, max],
    );
    return rows.map((row) => row.key_bucket);
  }

  /**
   * Oldest first. A row whose transaction commits after a later id's shows up in the next cycle;
   * only charges that were in flight at the same moment can swap, and those have no order anyway.
   */
  async findUnpublished(
    db: EntityManager,
    buckets: number[],
    limit: number,
  ): Promise<PendingOutboxRow[]> {
    const rows: {
      id: string;
      topic: string;
      message_key: string;
      event_id: string;
      event_type: string;
      payload: object;
    }[] = await db.query(
      `SELECT id, topic, message_key, event_id, event_type, payload
         FROM outbox
        WHERE published_at IS NULL AND key_bucket = ANY($1::smallint[])
        ORDER BY id
        LIMIT $2`,
      [buckets, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      topic: row.topic,
      key: row.message_key,
      eventId: row.event_id,
      eventType: row.event_type,
      payload: row.payload,
    }));
  }

  async markPublished(db: EntityManager, ids: string[]): Promise<void> {
    await db.query(`UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
  }

  async recordFailure(db: EntityManager, ids: string[], error: string): Promise<void> {
    await db.query(
      `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`,
      [ids, error.slice(0, 1000)],
    );
  }
}
