import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface Window {
  from: Date | null;
  to: Date | null;
}

export const WINDOW_SQL = `($1::timestamptz IS NULL OR created_at >= $1) AND ($2::timestamptz IS NULL OR created_at < $2)`;

/** The export's query, run through a cursor (see FinanceExportService). */
export const LEDGER_EXPORT_SQL = `
  SELECT id, event_id, created_at, occurred_at, user_id, source, direction, amount, balance_before,
         balance_after, status, source_ref_id, order_id, hold_id, description,
         pricing->>'rule_id' AS rule_id, pricing->>'rule_version' AS rule_version,
         pricing->>'model' AS model, metadata
    FROM ledger_entries WHERE ${WINDOW_SQL} ORDER BY id`;

@Injectable()
export class FinanceRepository {
  /** Daily (UTC) totals by source and direction. */
  summary(db: EntityManager, window: Window) {
    return db.query<
      { day: string; source: string; direction: string; entries: number; amount: number }[]
    >(
      `SELECT to_char(date_trunc('day', created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
              source, direction, count(*)::float8 AS entries, sum(amount)::float8 AS amount
         FROM ledger_entries WHERE status = 'applied' AND ${WINDOW_SQL}
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
      [window.from, window.to],
    );
  }
}
