import { runStatement } from '@tally/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Hold, HoldCapture, HoldStatus } from './hold';

interface HoldRow {
  hold_id: string;
  user_id: string;
  amount: string;
  status: HoldStatus;
  expires_at: Date;
  capture_event_id: string | null;
  captured_amount: string | null;
  description: string | null;
  created_at: Date;
  closed_at: Date | null;
}

const COLUMNS = `hold_id, user_id, amount, status, expires_at, capture_event_id, captured_amount,
                 description, created_at, closed_at`;

function fromRow(row: HoldRow): Hold {
  return {
    ...row,
    amount: BigInt(row.amount),
    captured_amount: row.captured_amount === null ? null : BigInt(row.captured_amount),
  };
}

export interface NewHold {
  hold_id: string;
  user_id: string;
  amount: bigint;
  expires_at: Date;
  description: string | null;
}

/** Holds change only under their account's row lock (see GrantRepository), locked here too. */
@Injectable()
export class HoldRepository {
  async find(db: EntityManager, holdId: string): Promise<Hold | undefined> {
    const rows: HoldRow[] = await db.query(`SELECT ${COLUMNS} FROM holds WHERE hold_id = $1`, [
      holdId,
    ]);
    return rows[0] && fromRow(rows[0]);
  }

  async lock(db: EntityManager, holdIds: string[]): Promise<Map<string, Hold>> {
    if (holdIds.length === 0) return new Map();
    const rows: HoldRow[] = await runStatement(db, {
      name: 'holds_lock',
      text: `SELECT ${COLUMNS} FROM holds WHERE hold_id = ANY($1::text[]) ORDER BY hold_id FOR UPDATE`,
      values: [[...new Set(holdIds)]],
    });
    return new Map(rows.map((row) => [row.hold_id, fromRow(row)]));
  }

  /** What the account's open, unexpired holds reserve. */
  async sumOpen(db: EntityManager, userId: string, now: Date): Promise<bigint> {
    const [row]: { held: string }[] = await db.query(
      `SELECT COALESCE(SUM(amount), 0) AS held FROM holds
        WHERE user_id = $1 AND status = 'open' AND expires_at > $2`,
      [userId, now],
    );
    return BigInt(row.held);
  }

  async insert(db: EntityManager, hold: NewHold): Promise<Hold> {
    const rows: HoldRow[] = await db.query(
      `INSERT INTO holds (hold_id, user_id, amount, status, expires_at, description)
       VALUES ($1, $2, $3, 'open', $4, $5) RETURNING ${COLUMNS}`,
      [hold.hold_id, hold.user_id, hold.amount.toString(), hold.expires_at, hold.description],
    );
    return fromRow(rows[0]);
  }

  /** Closes an open hold as voided or expired. */
  async close(db: EntityManager, holdId: string, status: 'voided' | 'expired'): Promise<Hold> {
    const rows: HoldRow[] = await db.query(
      // As a CTE: TypeORM answers a bare UPDATE ... RETURNING with [rows, count].
      `WITH closed AS (UPDATE holds SET status = $2, closed_at = now()
                        WHERE hold_id = $1 AND status = 'open' RETURNING ${COLUMNS})
       SELECT * FROM closed`,
      [holdId, status],
    );
    return fromRow(rows[0]);
  }

  async capture(db: EntityManager, captures: HoldCapture[]): Promise<void> {
    if (captures.length === 0) return;
    await runStatement(db, {
      name: 'holds_capture',
      text: `UPDATE holds AS h
          SET status = 'captured', capture_event_id = c.event_id, captured_amount = c.amount,
              closed_at = now()
         FROM unnest($1::text[], $2::text[], $3::bigint[]) AS c (hold_id, event_id, amount)
        WHERE h.hold_id = c.hold_id`,
      values: [
        captures.map((c) => c.hold_id),
        captures.map((c) => c.event_id),
        captures.map((c) => c.amount.toString()),
      ],
    });
  }

  /** Users with open holds past their expiry. */
  async findUsersWithDueHolds(db: EntityManager, now: Date, limit: number): Promise<string[]> {
    const rows: { user_id: string }[] = await db.query(
      `SELECT DISTINCT user_id FROM (
         SELECT user_id FROM holds WHERE status = 'open' AND expires_at <= $1
          ORDER BY expires_at LIMIT $2) due`,
      [now, limit],
    );
    return rows.map((row) => row.user_id);
  }

  /** Expires the due open holds of these (locked) accounts; returns the users affected. */
  async expireDue(db: EntityManager, userIds: string[], now: Date): Promise<string[]> {
    const rows: { user_id: string }[] = await db.query(
      `WITH expired AS (UPDATE holds SET status = 'expired', closed_at = now()
                         WHERE user_id = ANY($1::text[]) AND status = 'open' AND expires_at <= $2
                         RETURNING user_id)
       SELECT user_id FROM expired`,
      [userIds, now],
    );
    return rows.map((row) => row.user_id);
  }
}
