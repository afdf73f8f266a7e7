import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface UsageTotals {
  calls: number;
  credits: number;
  input_tokens: number;
  cached_tokens: number;
  reasoning_tokens: number;
  output_tokens: number;
  seconds: number;
}

const SUMS = `count(*)::float8 AS calls, COALESCE(sum(amount), 0)::float8 AS credits,
              COALESCE(sum(input_tokens), 0)::float8 AS input_tokens,
              COALESCE(sum(cached_tokens), 0)::float8 AS cached_tokens,
              COALESCE(sum(reasoning_tokens), 0)::float8 AS reasoning_tokens,
              COALESCE(sum(output_tokens), 0)::float8 AS output_tokens,
              COALESCE(sum(seconds), 0)::float8 AS seconds`;
const WINDOW = `user_id = $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2)`;

/** The consumption dashboard, read from usage_records (free calls included, with 0 credits). */
@Injectable()
export class UsageRepository {
  async totals(db: EntityManager, userId: string, from: Date | null): Promise<UsageTotals> {
    const [row]: UsageTotals[] = await db.query(
      `SELECT ${SUMS} FROM usage_records WHERE ${WINDOW}`,
      [userId, from],
    );
    return row;
  }

  async bySourceAndModel(db: EntityManager, userId: string, from: Date | null) {
    return db.query<(UsageTotals & { source: string; model: string | null })[]>(
      `SELECT source, model, ${SUMS} FROM usage_records WHERE ${WINDOW}
        GROUP BY source, model ORDER BY credits DESC, source, model`,
      [userId, from],
    );
  }

  async byDay(db: EntityManager, userId: string, from: Date | null) {
    return db.query<(UsageTotals & { day: string })[]>(
      `SELECT to_char(date_trunc('day', occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, ${SUMS}
         FROM usage_records WHERE ${WINDOW} GROUP BY 1 ORDER BY 1`,
      [userId, from],
    );
  }
}
