import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AutoTopup } from './auto-topup';

interface AutoTopupRow {
  user_id: string;
  threshold: string;
  product_id: number;
  max_per_month: number;
  limit_reached_month: string | null;
}

const COLUMNS = `user_id, threshold::text AS threshold, product_id::int AS product_id, max_per_month,
                 to_char(limit_reached_month, 'YYYY-MM') AS limit_reached_month`;

function fromRow(row: AutoTopupRow): AutoTopup {
  return { ...row, threshold: BigInt(row.threshold) };
}

@Injectable()
export class AutoTopupRepository {
  /** The settings of these users that have one. */
  async findForUsers(db: EntityManager, userIds: string[]): Promise<Map<string, AutoTopup>> {
    const rows: AutoTopupRow[] = await db.query(
      `SELECT ${COLUMNS} FROM auto_topups WHERE user_id = ANY($1::text[])`,
      [userIds],
    );
    return new Map(rows.map((row) => [row.user_id, fromRow(row)]));
  }

  async find(db: EntityManager, userId: string, lock = false): Promise<AutoTopup | undefined> {
    const rows: AutoTopupRow[] = await db.query(
      `SELECT ${COLUMNS} FROM auto_topups WHERE user_id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [userId],
    );
    return rows[0] && fromRow(rows[0]);
  }

  /** Sets the user's auto top-up; the month whose limit was told stays told. */
  async save(
    db: EntityManager,
    setting: Omit<AutoTopup, 'limit_reached_month'>,
  ): Promise<AutoTopup> {
    const rows: AutoTopupRow[] = await db.query(
      `WITH saved AS (
         INSERT INTO auto_topups (user_id, threshold, product_id, max_per_month)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id) DO UPDATE
            SET threshold = EXCLUDED.threshold, product_id = EXCLUDED.product_id,
                max_per_month = EXCLUDED.max_per_month, updated_at = now()
         RETURNING *)
       SELECT ${COLUMNS} FROM saved`,
      [setting.user_id, setting.threshold.toString(), setting.product_id, setting.max_per_month],
    );
    return fromRow(rows[0]);
  }

  async remove(db: EntityManager, userId: string): Promise<void> {
    await db.query(`DELETE FROM auto_topups WHERE user_id = $1`, [userId]);
  }

  /** Marks `month` (`YYYY-MM`) as the one whose auto_topup.limit_reached went out. */
  async markLimitReached(db: EntityManager, userId: string, month: string): Promise<void> {
    await db.query(
      `UPDATE auto_topups SET limit_reached_month = to_date($2, 'YYYY-MM') WHERE user_id = $1`,
      [userId, month],
    );
  }
}
