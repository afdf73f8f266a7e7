import { runStatement } from '@tally/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { PendingAccountEvent } from '../outbox/account-event.repository';
import type { WebhookEndpointRow } from './webhook-endpoint';
import type { AttemptOutcome } from './webhook-sender';

/** A delivery taken off the queue by one sender, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  event_id: string;
  endpoint_id: string;
  body: string;
  tries: number;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Date | null;
}

export interface DeliveryView {
  id: string;
  event_id: string;
  type: string;
  status: 'pending' | 'delivered' | 'failed';
  next_attempt_at: string | null;
  created_at: string;
  attempts: { status_code: number | null; error: string | null; duration_ms: number; at: string }[];
}

/** What becomes of a delivery after an attempt. */
export type DeliveryNext =
  { status: 'delivered' } | { status: 'failed' } | { status: 'pending'; retryInMs: number };

/**
 * Webhook deliveries, one per (event, endpoint), and their attempts: the queue the senders take
 * from (due ones, skipping rows another replica holds) and the history GET .../deliveries shows.
 */
@Injectable()
export class WebhookDeliveryRepository {
  /** Account events not yet fanned out, held by this transaction (other replicas skip them). */
  takeUnfannedEvents(db: EntityManager, limit: number): Promise<PendingAccountEvent[]> {
    return runStatement(db, {
      text: `SELECT id, user_id, seq::text AS seq, type, occurred_at, data FROM account_events
       WHERE webhooks_at IS NULL ORDER BY occurred_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      values: [limit],
    });
  }

  async markFannedOut(db: EntityManager, ids: string[]): Promise<void> {
    await runStatement(db, {
      text: `UPDATE account_events SET webhooks_at = now() WHERE id = ANY($1::uuid[])`,
      values: [ids],
    });
  }

  /**
   * A delivery for each event and each enabled endpoint that wants its type; the unique key makes
   * a second fan-out of the same event add nothing.
   */
  async insertForEvents(
    db: EntityManager,
    events: { id: string; type: string; body: string }[],
  ): Promise<number> {
    const inserted: unknown[] = await runStatement(db, {
      text: `INSERT INTO webhook_deliveries (event_id, event_type, endpoint_id, body)
       SELECT ev.id, ev.type, e.id, ev.body
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS ev(id, type, body)
       JOIN webhook_endpoints e ON e.enabled AND ('*' = ANY(e.events) OR ev.type = ANY(e.events))
       ON CONFLICT (event_id, endpoint_id) DO NOTHING RETURNING id`,
      values: [events.map((e) => e.id), events.map((e) => e.type), events.map((e) => e.body)],
    });
    return inserted.length;
  }

  async insertOne(
    db: EntityManager,
    delivery: { event_id: string; event_type: string; endpoint_id: string; body: string },
  ): Promise<string> {
    const [row]: { id: string }[] = await runStatement(db, {
      text: `INSERT INTO webhook_deliveries (event_id, event_type, endpoint_id, body)
       VALUES ($1, $2, $3, $4) RETURNING id::text`,
      values: [delivery.event_id, delivery.event_type, delivery.endpoint_id, delivery.body],
    });
    return row.id;
  }

  /**
   * Due deliveries of enabled endpoints, at most `free` more per endpoint (`full` endpoints none),
   * leased for `leaseMs`: their next_attempt_at moves past the lease, so a sender that dies
   * mid-attempt leaves them due again, and no other sender takes them meanwhile.
   */
  claim(
    db: EntityManager,
    limits: { limit: number; perEndpoint: number; inFlight: Map<string, number>; leaseMs: number },
  ): Promise<ClaimedDelivery[]> {
    const busy = [...limits.inFlight.entries()];
    return runStatement(db, {
      text: `WITH busy AS (
         SELECT * FROM unnest($1::uuid[], $2::int[]) AS b(endpoint_id, sending)),
       due AS (
         SELECT d.id, d.endpoint_id, d.next_attempt_at FROM webhook_deliveries d
         JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
         WHERE d.status = 'pending' AND d.next_attempt_at <= now()
           AND d.endpoint_id NOT IN (SELECT endpoint_id FROM busy WHERE sending >= $3)
         ORDER BY d.next_attempt_at LIMIT $4 * 4 FOR UPDATE OF d SKIP LOCKED),
       chosen AS (
         SELECT due.id FROM (
           SELECT due.*, row_number() OVER (PARTITION BY due.endpoint_id
                                            ORDER BY due.next_attempt_at, due.id) AS n
           FROM due) due
         LEFT JOIN busy ON busy.endpoint_id = due.endpoint_id
         WHERE due.n <= $3 - COALESCE(busy.sending, 0)
         ORDER BY due.next_attempt_at LIMIT $4)
       UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $5)
       FROM chosen, webhook_endpoints e
       WHERE d.id = chosen.id AND e.id = d.endpoint_id
       RETURNING d.id::text, d.event_id, d.endpoint_id, d.body, d.tries, e.url, e.secret,
         e.previous_secret, e.previous_secret_until`,
      values: [
        busy.map(([id]) => id),
        busy.map(([, n]) => n),
        limits.perEndpoint,
        limits.limit,
        limits.leaseMs / 1000,
      ],
    });
  }

  /** The attempt, and the delivery's next state (none if its endpoint was deleted meanwhile). */
  async recordAttempt(
    db: EntityManager,
    id: string,
    outcome: AttemptOutcome,
    next: DeliveryNext,
  ): Promise<void> {
    await runStatement(db, {
      text: `INSERT INTO webhook_attempts (delivery_id, status_code, error, duration_ms)
       SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = $1)`,
      values: [id, outcome.status_code, outcome.error?.slice(0, 500) ?? null, outcome.duration_ms],
    });
    await runStatement(db, {
      text: `UPDATE webhook_deliveries SET status = $2, tries = tries + 1,
         next_attempt_at = now() + make_interval(secs => $3)
       WHERE id = $1`,
      values: [id, next.status, next.status === 'pending' ? next.retryInMs / 1000 : 0],
    });
  }

  /** Due at once, its retries counted afresh; its row (and its event id) stay the same. */
  async redeliver(db: EntityManager, id: string): Promise<boolean> {
    const rows: unknown[] = await runStatement(db, {
      text: `UPDATE webhook_deliveries SET status = 'pending', tries = 0, next_attempt_at = now()
       WHERE id = $1 RETURNING id`,
      values: [id],
    });
    return rows.length > 0;
  }

  async endpointOf(
    db: EntityManager,
    id: string,
  ): Promise<Pick<WebhookEndpointRow, 'id' | 'enabled'> | undefined> {
    const rows: Pick<WebhookEndpointRow, 'id' | 'enabled'>[] = await runStatement(db, {
      text: `SELECT e.id, e.enabled FROM webhook_deliveries d
       JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`,
      values: [id],
    });
    return rows[0];
  }

  /** An endpoint's deliveries, newest first, each with its attempts in order. */
  async listForEndpoint(
    db: EntityManager,
    endpointId: string,
    page: { limit: number; before?: string },
  ): Promise<DeliveryView[]> {
    const rows: (Omit<DeliveryView, 'attempts' | 'next_attempt_at' | 'created_at'> & {
      next_attempt_at: Date;
      created_at: Date;
      attempts: DeliveryView['attempts'] | null;
    })[] = await runStatement(db, {
      text: `SELECT d.id::text, d.event_id, d.event_type AS type, d.status, d.next_attempt_at, d.created_at,
         (SELECT json_agg(json_build_object('status_code', a.status_code, 'error', a.error,
                   'duration_ms', a.duration_ms,
                   'at', to_char(a.attempted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                 ORDER BY a.id)
          FROM webhook_attempts a WHERE a.delivery_id = d.id) AS attempts
       FROM webhook_deliveries d
       WHERE d.endpoint_id = $1 AND ($2::bigint IS NULL OR d.id < $2::bigint)
       ORDER BY d.id DESC LIMIT $3`,
      values: [endpointId, page.before ?? null, page.limit],
    });
    return rows.map((row) => ({
      ...row,
      next_attempt_at: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
      created_at: row.created_at.toISOString(),
      attempts: row.attempts ?? [],
    }));
  }
}
