import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Sums as Postgres wrote them: bigints and the numeric seconds as exact text. */
export interface UsageSumsRow {
  calls: string;
  credits: string;
  input_tokens: string;
  cached_tokens: string;
  cache_write_tokens: string;
  reasoning_tokens: string;
  output_tokens: string;
  seconds: string;
}

const SUMS = `count(*)::text AS calls,
              (COALESCE(sum(amount), 0) - COALESCE(sum(refunded), 0))::text AS credits,
              COALESCE(sum(input_tokens), 0)::text AS input_tokens,
              COALESCE(sum(cached_tokens), 0)::text AS cached_tokens,
              COALESCE(sum(cache_write_tokens), 0)::text AS cache_write_tokens,
              COALESCE(sum(reasoning_tokens), 0)::text AS reasoning_tokens,
              COALESCE(sum(output_tokens), 0)::text AS output_tokens,
              COALESCE(sum(seconds), 0)::text AS seconds`;
const OF_USER_SINCE = `user_id = $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2)
                       AND ($3::text IS NULL OR api_key_id = $3)`;

/**
 * The calls with what was refunded of each: credits are net of refunds, counted against the call
 * they give back (its source, model and day).
 */
const CALLS = `usage_records u
  LEFT JOIN (SELECT source_ref_id, sum(amount) AS refunded FROM ledger_entries
              WHERE source = 'refund' AND status = 'applied' AND user_id = $1
              GROUP BY source_ref_id) r ON r.source_ref_id = u.event_id`;

/**
 * The consumption dashboard, read from usage_records (free calls included, with 0 credits), of
 * the whole account or of one API key.
 */
@Injectable()
export class UsageRepository {
  async totals(
    db: EntityManager,
    userId: string,
    from: Date | null,
    apiKeyId: string | null,
  ): Promise<UsageSumsRow> {
    const [row]: UsageSumsRow[] = await db.query(
      `SELECT ${SUMS} FROM ${CALLS} WHERE ${OF_USER_SINCE}`,
      [userId, from, apiKeyId],
    );
    return row;
  }

  bySourceAndModel(db: EntityManager, userId: string, from: Date | null, apiKeyId: string | null) {
    return db.query<(UsageSumsRow & { source: string; model: string | null })[]>(
      `SELECT source, model, ${SUMS} FROM ${CALLS} WHERE ${OF_USER_SINCE}
        GROUP BY source, model
        ORDER BY sum(amount) - COALESCE(sum(refunded), 0) DESC, count(*) DESC, source, model NULLS LAST`,
      [userId, from, apiKeyId],
    );
  }

  /**
   * Totals of the whole account since each of `since` (null: since the first call), in one pass
   * over its calls (usage_records_user_idx); a period without calls has no row.
   */
  async totalsSince(
    db: EntityManager,
    userId: string,
    since: Record<string, Date | null>,
  ): Promise<(UsageSumsRow & { period: string })[]> {
    const periods = Object.entries(since);
    return db.query(
      `WITH c AS MATERIALIZED (
              SELECT occurred_at, amount, refunded, input_tokens, cached_tokens, cache_write_tokens,
                     reasoning_tokens, output_tokens, seconds
                FROM ${CALLS} WHERE ${OF_USER_SINCE})
       SELECT p.period, ${SUMS}
         FROM c JOIN unnest($4::text[], $5::timestamptz[]) AS p (period, since)
           ON p.since IS NULL OR c.occurred_at >= p.since
        GROUP BY p.period`,
      [userId, null, null, periods.map(([period]) => period), periods.map(([, from]) => from)],
    );
  }

  /** By UTC day of the call (occurred_at). */
  byDay(db: EntityManager, userId: string, from: Date | null, apiKeyId: string | null) {
    return db.query<(UsageSumsRow & { day: string })[]>(
      `SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, ${SUMS}
         FROM ${CALLS} WHERE ${OF_USER_SINCE}
        GROUP BY 1 ORDER BY 1`,
      [userId, from, apiKeyId],
    );
  }
}
