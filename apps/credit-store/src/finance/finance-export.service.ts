import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { CSV_HEADER, csvRow } from './finance-export.csv';
import { FinanceExportRepository } from './finance-export.repository';
import type { FinanceWindow } from './finance-window';

const FETCH_SIZE = 1000;

/**
 * Streams the ledger as CSV from one consistent snapshot (a read-only REPEATABLE READ transaction)
 * through a server-side cursor: at most FETCH_SIZE rows in memory, the socket's backpressure
 * respected, and the work stopped as soon as the client goes away. A failure after the header went
 * out cuts the response off instead of ending it, so a partial file never looks complete.
 */
@Injectable()
export class FinanceExportService {
  private readonly logger = new Logger(FinanceExportService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly exports: FinanceExportRepository,
  ) {}

  async streamLedger(window: FinanceWindow, res: Response): Promise<void> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      await this.exports.declareLedgerCursor(runner.manager, window);

      res.status(200);
      res.setHeader('content-type', 'text/csv; charset=utf-8');
      res.setHeader('content-disposition', 'attachment; filename="ledger.csv"');
      res.setHeader('cache-control', 'no-store');
      await writeChunk(res, CSV_HEADER);
      // A response is destroyed as soon as the client disconnects (or a write failed).
      while (!res.destroyed) {
        const rows = await this.exports.fetchLedgerRows(runner.manager, FETCH_SIZE);
        if (rows.length === 0) break;
        await writeChunk(res, rows.map(csvRow).join(''));
      }
      await runner.commitTransaction();
      if (!res.destroyed) res.end();
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      if (!res.headersSent) throw error;
      this.logger.error(`ledger export cut off: ${(error as Error).stack ?? String(error)}`);
      res.destroy(error as Error);
    } finally {
      await runner.release();
    }
  }
}

/**
 * Resolves once the stream took the chunk: at once while its buffer has room, else on 'drain'
 * (or on 'close', when the other side went away and will never drain it).
 */
export function writeChunk(out: Writable, chunk: string): Promise<void> {
  if (out.destroyed) return Promise.resolve();
  if (out.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}
