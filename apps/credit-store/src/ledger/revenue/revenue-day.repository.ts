import { runStatement } from '@tally/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RevenueDelta } from './revenue-delta';

/** The daily revenue totals (see the migration that made revenue_days): written by the ledger. */
@Injectable()
export class RevenueDayRepository {
  /**
   * Adds a transaction's deltas to today's row of its connection's shard (UTC day of the
   * transaction's start, as the entries' created_at). One statement, none when nothing moved.
   */
  async add(db: EntityManager, deltas: RevenueDelta[]): Promise<void> {
    if (deltas.length === 0) return;
    await runStatement(db, {
      name: 'revenue_days_add',
      text: `INSERT INTO revenue_days AS r (day, currency, shard, sales, recognized, breakage, refunds)
       SELECT (now() AT TIME ZONE 'UTC')::date, d.currency, pg_backend_pid() % 64,
              d.sales, d.recognized, d.breakage, d.refunds
         FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
              AS d (currency, sales, recognized, breakage, refunds)
        ORDER BY d.currency
       ON CONFLICT (day, currency, shard) DO UPDATE
          SET sales = r.sales + EXCLUDED.sales, recognized = r.recognized + EXCLUDED.recognized,
              breakage = r.breakage + EXCLUDED.breakage, refunds = r.refunds + EXCLUDED.refunds`,
      values: [
        deltas.map((d) => d.currency),
        deltas.map((d) => d.sales.toString()),
        deltas.map((d) => d.recognized.toString()),
        deltas.map((d) => d.breakage.toString()),
        deltas.map((d) => d.refunds.toString()),
      ],
    });
  }
}
