import type { Response } from 'express';
import { Writable } from 'node:stream';
import type { DataSource } from 'typeorm';
import type { LedgerCsvRow } from './finance-export.csv';
import { FinanceExportService, writeChunk } from './finance-export.service';

/** A response whose socket takes one chunk per tick and holds at most 64 bytes. */
class SlowResponse extends Writable {
  readonly chunks: string[] = [];
  readonly headers: Record<string, string> = {};
  headersSent = false;
  statusCode = 0;

  constructor() {
    super({ highWaterMark: 64, decodeStrings: false });
  }
  override _write(chunk: string, _encoding: string, done: () => void): void {
    this.headersSent = true;
    this.chunks.push(chunk);
    setImmediate(done);
  }
  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  setHeader(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }
}

function fakes(fetchRows: (call: number) => Promise<LedgerCsvRow[]>) {
  const runner = {
    isTransactionActive: false,
    manager: {},
    released: false,
    statements: [] as string[],
    connect: jest.fn(() => Promise.resolve()),
    startTransaction: jest.fn(() => {
      runner.isTransactionActive = true;
      return Promise.resolve();
    }),
    query: jest.fn((sql: string) => {
      runner.statements.push(sql);
      return Promise.resolve([]);
    }),
    commitTransaction: jest.fn(() => {
      runner.isTransactionActive = false;
      return Promise.resolve();
    }),
    rollbackTransaction: jest.fn(() => {
      runner.isTransactionActive = false;
      return Promise.resolve();
    }),
    release: jest.fn(() => {
      runner.released = true;
      return Promise.resolve();
    }),
  };
  let fetches = 0;
  const repository = {
    declareLedgerCursor: jest.fn(() => Promise.resolve()),
    fetchLedgerRows: jest.fn(() => fetchRows(++fetches)),
  };
  const service = new FinanceExportService(
    { createQueryRunner: () => runner } as unknown as DataSource,
    repository,
  );
  service['logger'].error = jest.fn();
  return { runner, repository, service, fetches: () => fetches };
}

const rowsOf = (n: number, from = 1): LedgerCsvRow[] =>
  Array.from({ length: n }, (_, i) => ({ id: String(from + i), amount: '-1' }));

describe('FinanceExportService', () => {
  it('writes the header and every chunk, then commits, ends and releases', async () => {
    const { runner, service } = fakes((call) =>
      Promise.resolve(call <= 3 ? rowsOf(2, call * 10) : []),
    );
    const res = new SlowResponse();
    await service.streamLedger({ from: null, to: null }, res as unknown as Response);

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="ledger.csv"');
    const lines = res.chunks.join('').split('\r\n');
    expect(lines[0].startsWith('id,event_id,')).toBe(true);
    expect(lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual([
      '10',
      '11',
      '20',
      '21',
      '30',
      '31',
    ]);
    expect(res.writableEnded).toBe(true);
    expect(runner.startTransaction).toHaveBeenCalledWith('REPEATABLE READ');
    expect(runner.statements).toEqual(['SET TRANSACTION READ ONLY']);
    expect(runner.commitTransaction).toHaveBeenCalled();
    expect(runner.released).toBe(true);
  });

  it('stops fetching and releases the runner once the client has gone', async () => {
    const res = new SlowResponse();
    const { runner, service, fetches } = fakes((call) => {
      if (call === 3) res.destroy();
      return Promise.resolve(rowsOf(1000));
    });
    await service.streamLedger({ from: null, to: null }, res as unknown as Response);

    expect(fetches()).toBe(3);
    expect(runner.isTransactionActive).toBe(false);
    expect(runner.released).toBe(true);
  });

  it('cuts the response off when a fetch fails after the header went out', async () => {
    const res = new SlowResponse();
    const failure = new Error('connection lost');
    const { runner, service } = fakes((call) =>
      call === 1 ? Promise.resolve(rowsOf(10)) : Promise.reject(failure),
    );
    const closed = new Promise((resolve) => res.on('error', resolve));
    await service.streamLedger({ from: null, to: null }, res as unknown as Response);

    expect(await closed).toBe(failure);
    expect(res.destroyed).toBe(true);
    expect(res.writableEnded).toBe(false);
    expect(runner.rollbackTransaction).toHaveBeenCalled();
    expect(runner.released).toBe(true);
  });

  it('throws (for the error filter to answer) when it fails before the header', async () => {
    const { runner, repository, service } = fakes(() => Promise.resolve([]));
    repository.declareLedgerCursor.mockRejectedValueOnce(new Error('no database'));
    const res = new SlowResponse();
    await expect(
      service.streamLedger({ from: null, to: null }, res as unknown as Response),
    ).rejects.toThrow('no database');
    expect(res.headersSent).toBe(false);
    expect(runner.rollbackTransaction).toHaveBeenCalled();
    expect(runner.released).toBe(true);
  });
});

describe('writeChunk', () => {
  it('resolves at once while the buffer has room, and after drain when it is full', async () => {
    const out = new SlowResponse();
    let drained = false;
    out.once('drain', () => (drained = true));
    await writeChunk(out, 'x'.repeat(10));
    expect(drained).toBe(false);
    await writeChunk(out, 'x'.repeat(100));
    expect(drained).toBe(true);
  });

  it('resolves when the stream closes instead of draining', async () => {
    const out = new Writable({ highWaterMark: 1, write: () => undefined });
    const written = writeChunk(out, 'stuck');
    out.destroy();
    await expect(written).resolves.toBeUndefined();
    await expect(writeChunk(out, 'after')).resolves.toBeUndefined();
  });
});
