import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { CSV_HEADER, csvRow } from './ledger-csv';
import { LEDGER_EXPORT_SQL, Window } from './finance.repository';

const FETCH_SIZE = 1000;

/**
 * Streams the ledger as CSV through a server-side cursor in one REPEATABLE READ transaction: a
 * consistent snapshot, FETCH_SIZE rows in memory at a time, and the socket's backpressure
 * respected. If it fails after the header went out, the response is cut off rather than ended,
 * so a client cannot mistake a partial file for a whole one.
 */
@Injectable()
export class FinanceExportService {
  constructor(private readonly dataSource: DataSource) {}

  async streamLedger(window: Window, res: Response): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    let aborted = false;
    res.on('close', () => (aborted = !res.writableFinished));
    try {
      await runner.connect();
      await runner.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await runner.query(`DECLARE ledger_export NO SCROLL CURSOR FOR ${LEDGER_EXPORT_SQL}`, [
        window.from,
        window.to,
      ]);
      res.status(200);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', 'attachment; filename="ledger.csv"');
      await write(res, CSV_HEADER);
      while (!aborted) {
        const rows = (await runner.query(`FETCH ${FETCH_SIZE} FROM ledger_export`)) as Record<
          string,
          unknown
        >[];
        if (rows.length === 0) break;
        await write(res, rows.map(csvRow).join(''));
      }
      await runner.query('COMMIT');
      res.end();
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      if (!res.headersSent) throw error;
      res.destroy(error as Error);
    } finally {
      await runner.release();
    }
  }
}

/** Resolves when the chunk is handed over, waiting for 'drain' when the socket's buffer is full. */
function write(res: Response, chunk: string): Promise<void> {
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
