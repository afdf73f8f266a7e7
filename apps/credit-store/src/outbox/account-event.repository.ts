import { runStatement } from '@tally/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AccountEventDraft } from '../ledger/events/account-events';

/** An event waiting for the relay, as stored. */
export interface PendingAccountEvent {
  id: string;
  user_id: string;
  seq: string;
  type: string;
  occurred_at: Date;
  data: Record<string, unknown>;
}

/** Namespace and key of the account-event relay's advisory lock (the snapshot relay has key 0). */
const RELAY_LOCK = [74_114, 1];

/** The credit-store's account events (`credit.account.events`): its outbox and their history. */
@Injectable()
export class AccountEventRepository {
  /** In the ledger transaction that caused them; the primary key refuses a fact written twice. */
  async insert(db: EntityManager, events: AccountEventDraft[]): Promise<void> {
    if (events.length === 0) return;
    await runStatement(db, {
      name: 'account_events_insert',
      text: `INSERT INTO account_events (id, user_id, seq, type, data)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::jsonb[])`,
      values: [
        events.map((e) => e.id),
        events.map((e) => e.user_id),
        events.map((e) => e.seq.toString()),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data)),
      ],
    });
  }

  /**
   * Makes this transaction the only account-event relay at work, across replicas, or answers
   * false: with one relay, a user's events go out in seq order.
   */
  async tryLockRelay(db: EntityManager): Promise<boolean> {
    const [row]: { locked: boolean }[] = await runStatement(db, {
      name: 'account_events_lock_relay',
      text: `SELECT pg_try_advisory_xact_lock($1, $2) AS locked`,
      values: RELAY_LOCK,
    });
    return row.locked;
  }

  /**
   * Unpublished events, each user's in seq order. A user's events commit in seq order (numbered
   * under the account's lock), so a later one is never seen before an earlier one. The ORDER BY
   * names the table's column: a bare `seq` would sort by the text output column (10 before 9).
   */
  async findPending(db: EntityManager, limit: number): Promise<PendingAccountEvent[]> {
    return runStatement(db, {
      name: 'account_events_pending',
      text: `SELECT id, user_id, seq::text AS seq, type, occurred_at, data FROM account_events e
        WHERE published_at IS NULL ORDER BY e.user_id, e.seq LIMIT $1`,
      values: [limit],
    });
  }

  async markPublished(db: EntityManager, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await runStatement(db, {
      name: 'account_events_mark_published',
      text: `UPDATE account_events SET published_at = now() WHERE id = ANY($1::uuid[])`,
      values: [ids],
    });
  }
}
