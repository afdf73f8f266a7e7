import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { LedgerCsvRow } from './finance-export.csv';
import type { FinanceWindow } from './finance-window';

const CURSOR = 'ledger_export';
const UTC_ISO = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/**
 * The ledger export read through a server-side cursor. Every column leaves Postgres as text:
 * bigints exact, timestamps in UTC to the microsecond, metadata as its JSON text (no round trip
 * through JS numbers). Needs a transaction on one connection (a QueryRunner's manager). The
 * ORDER BY names the table's column: a bare `id` would sort by the text output column.
 */
@Injectable()
export class FinanceExportRepository {
  async declareLedgerCursor(db: EntityManager, window: FinanceWindow): Promise<void> {
    await db.query(
      `DECLARE ${CURSOR} NO SCROLL CURSOR FOR
       SELECT id::text, event_id,
              to_char(created_at AT TIME ZONE 'UTC', ${UTC_ISO}) AS created_at,
              to_char(occurred_at AT TIME ZONE 'UTC', ${UTC_ISO}) AS occurred_at,
              user_id, source, direction, amount::text, balance_before::text, balance_after::text,
              status, source_ref_id, order_id, hold_id, description,
              pricing->>'rule_id' AS rule_id, pricing->>'rule_version' AS rule_version,
              pricing->>'model' AS model, metadata::text
         FROM ledger_entries
        WHERE ($1::timestamptz IS NULL OR created_at >= $1)
          AND ($2::timestamptz IS NULL OR created_at < $2)
        ORDER BY ledger_entries.id`,
      [window.from, window.to],
    );
  }

  fetchLedgerRows(db: EntityManager, count: number): Promise<LedgerCsvRow[]> {
    return db.query<LedgerCsvRow[]>(`FETCH ${Math.trunc(count)} FROM ${CURSOR}`);
  }
}
