import { Injectable } from '@nestjs/common';
import type { Statement } from '@tally/platform';
import type { EntityManager } from 'typeorm';

export interface OutboxMessage {
  topic: string;
  key: string;
  eventId: string;
  eventType: string;
  /** The message value: JSON text as stored (read as text, so never parsed and re-serialised). */
  payload: string;
  /** The HTTP request it came from (its `x-request-id`), if any. */
  requestId?: string;
}

export interface PendingOutboxRow extends OutboxMessage {
  id: string;
}

/** Namespace of the relays' advisory locks (the second key is the bucket). */
const RELAY_LOCK_NAMESPACE = 74_113;

const MAX_BIGINT = '9223372036854775807';

/** Outbox rows waiting to be published, how long the oldest has waited, and the rows parked. */
export interface OutboxBacklog {
  rows: number;
  oldestAgeSeconds: number;
  parked: number;
}

/** A row set aside because the broker can never take it, as an operator sees it. */
export interface ParkedOutboxRow {
  id: string;
  event_id: string;
  topic: string;
  key: string;
  event_type: string;
  payload_bytes: number;
  attempts: number;
  created_at: Date;
  parked_at: Date;
  reason: string;
}

@Injectable()
export class OutboxRepository {
  /**
   * Takes transaction-scoped advisory locks on up to `max` buckets that have unpublished rows and
   * that no other relay holds, the buckets with the oldest waiting row first, so that no bucket
   * waits behind luckier ones (a random pick left some rows seconds behind under load). Another
   * relay running the same statement skips the locked buckets and takes the next oldest. (The lock
   * call is volatile, so PostgreSQL evaluates it after the ordering, row by row, and stops at the
   * limit: no lock is taken on a bucket that is not returned.) The buckets are kept in a setting
   * of the transaction for `claimedRows`, and answered (see `claimedBucketsOf`).
   */
  claimBuckets(max: number): Statement {
    return {
      name: 'outbox_claim_buckets',
      text: `SELECT set_config('tally.relay_buckets', COALESCE(string_agg(key_bucket::text, ','), ''),
                               true) AS buckets
               FROM (SELECT key_bucket
                       FROM (SELECT key_bucket, min(id) AS oldest
                               FROM outbox WHERE published_at IS NULL AND parked_at IS NULL
                              GROUP BY key_bucket
                              ORDER BY oldest) pending
                      WHERE pg_try_advisory_xact_lock($1, key_bucket)
                      LIMIT $2) claimed`,
      values: [RELAY_LOCK_NAMESPACE, max],
    };
  }

  /** Whether the rows of `claimBuckets` name any bucket. */
  claimedBucketsOf(rows: unknown[]): boolean {
    return ((rows as { buckets: string }[])[0]?.buckets ?? '') !== '';
  }

  /**
   * The oldest `limit` unpublished rows of the buckets this transaction claimed, as a statement of
   * its own after `claimBuckets` (so it sees what the bucket's previous holder committed). A row
   * whose transaction commits after a later id's shows up in the next cycle; only charges that were
   * in flight at the same moment can swap, and those have no order anyway.
   */
  claimedRows(limit: number): Statement {
    return {
      name: 'outbox_claimed_rows',
      text: `SELECT id, topic, message_key, event_id, event_type, payload::text AS payload, request_id
               FROM outbox
              WHERE published_at IS NULL AND parked_at IS NULL
                AND key_bucket = ANY(string_to_array(current_setting('tally.relay_buckets', true),
                                                     ',')::smallint[])
              ORDER BY id
              LIMIT $1`,
      values: [limit],
    };
  }

  /** The rows of `claimedRows`, to publish. */
  pendingRowsOf(rows: unknown[]): PendingOutboxRow[] {
    return (
      rows as {
        id: string;
        topic: string;
        message_key: string;
        event_id: string;
        event_type: string;
        payload: string;
        request_id: string | null;
      }[]
    ).map((row) => ({
      id: row.id,
      topic: row.topic,
      key: row.message_key,
      eventId: row.event_id,
      eventType: row.event_type,
      payload: row.payload,
      requestId: row.request_id ?? undefined,
    }));
  }

  /** What waits to be published, and what is parked, for the metrics. */
  async backlog(db: EntityManager): Promise<OutboxBacklog> {
    const [row]: { rows: string; age: string | null; parked: string }[] = await db.query(
      `SELECT count(*) FILTER (WHERE parked_at IS NULL) AS rows,
              extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL)) AS age,
              count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked
         FROM outbox WHERE published_at IS NULL`,
    );
    return {
      rows: Number(row.rows),
      oldestAgeSeconds: Number(row.age ?? 0),
      parked: Number(row.parked),
    };
  }

  /**
   * Already-published rows keep their first time (a late acknowledgement may come after a re-send).
   * The transaction's commit does not wait for the WAL flush: a mark lost in a database crash only
   * sends its rows again, which the credit-store drops by event_id; one fsync less per cycle.
   */
  markPublished(ids: string[]): Statement {
    return {
      name: 'outbox_mark_published',
      text: `UPDATE outbox SET published_at = now()
               FROM (SELECT set_config('synchronous_commit', 'off', true)) relaxed
              WHERE id = ANY($1::bigint[]) AND published_at IS NULL`,
      values: [ids],
    };
  }

  /** Sets rows aside for good: the relay skips them, the pruner keeps them. */
  park(rows: { id: string; reason: string }[]): Statement {
    return {
      text: `UPDATE outbox o SET parked_at = now(), parked_reason = p.reason, attempts = attempts + 1
               FROM unnest($1::bigint[], $2::text[]) AS p (id, reason)
              WHERE o.id = p.id AND o.published_at IS NULL`,
      values: [rows.map((r) => r.id), rows.map((r) => r.reason.slice(0, 1000))],
    };
  }

  async findParked(db: EntityManager, limit: number): Promise<ParkedOutboxRow[]> {
    const rows: (Omit<ParkedOutboxRow, 'payload_bytes'> & { payload_bytes: string })[] =
      await db.query(
        `SELECT id, event_id, topic, message_key AS key, event_type,
                octet_length(payload::text) AS payload_bytes, attempts, created_at, parked_at,
                parked_reason AS reason
           FROM outbox WHERE published_at IS NULL AND parked_at IS NOT NULL
          ORDER BY id LIMIT $1`,
        [limit],
      );
    return rows.map((row) => ({ ...row, payload_bytes: Number(row.payload_bytes) }));
  }

  recordFailure(ids: string[], error: string): Statement {
    return {
      text: `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`,
      values: [ids, error.slice(0, 1000)],
    };
  }

  /**
   * The first id of a row created at or after `cutoff` (ids follow creation): the rows below it
   * are the ones old enough to prune. Scans the primary key from the oldest row left.
   */
  async firstIdSince(db: EntityManager, cutoff: Date): Promise<string | undefined> {
    const [row]: { id: string | null }[] = await db.query(
      `SELECT min(id) AS id FROM outbox WHERE created_at >= $1`,
      [cutoff],
    );
    return row?.id ?? undefined;
  }

  /**
   * Deletes up to `limit` published rows with an id below `belowId` (all, without one), oldest
   * first. The bound is an index condition, so the scan ends there even when little is left.
   */
  async deletePublished(db: EntityManager, belowId: string | undefined, limit: number) {
    const rows: unknown[] = await db.query(
      `WITH old AS (SELECT id FROM outbox
                     WHERE id < $1::bigint AND published_at IS NOT NULL
                     ORDER BY id LIMIT $2),
            deleted AS (DELETE FROM outbox o USING old WHERE o.id = old.id RETURNING 1)
       SELECT * FROM deleted`,
      [belowId ?? MAX_BIGINT, limit],
    );
    return rows.length;
  }
}
