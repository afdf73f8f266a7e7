import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import pino from 'pino';
import { RequestLog, ROUTINE_REQUEST_HEADER } from './request-log';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level }, sink) };
}

/** Runs one request through the middleware and ends it with `status`. */
async function request(
  log: RequestLog,
  status: number,
  finished = true,
  url = '/internal/charges',
  extraHeaders: Record<string, string> = {},
) {
  const req = {
    id: 'req-1',
    method: 'POST',
    originalUrl: url,
    headers: {
      authorization: 'Bearer s3cret',
      cookie: 'a=b',
      'content-type': 'application/json',
      ...extraHeaders,
    },
  } as unknown as Request & { id: string };
  const res = Object.assign(new EventEmitter(), { statusCode: status, writableFinished: finished });
  let nextCalled = false;
  log.middleware()(req, res as unknown as Response, (() => (nextCalled = true)) as NextFunction);
  expect(nextCalled).toBe(true);
  res.emit('close');
  await new Promise((resolve) => setImmediate(resolve));
}

describe('RequestLog', () => {
  it('writes one line per request with its id, status and time, and the secret headers redacted', async () => {
    const { lines, logger } = capture('info');
    await request(new RequestLog(logger), 202);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request completed',
      reqId: 'req-1',
      req: {
        id: 'req-1',
        method: 'POST',
        url: '/internal/charges',
        headers: {
          authorization: '[redacted]',
          cookie: '[redacted]',
          'content-type': 'application/json',
        },
      },
      res: { statusCode: 202 },
    });
    expect(typeof lines[0].responseTime).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('s3cret');
  });

  it('logs 4xx as warnings, 5xx as errors, and an abandoned request as aborted', async () => {
    const { lines, logger } = capture('info');
    const log = new RequestLog(logger);
    await request(log, 409);
    await request(log, 503);
    await request(log, 200, false);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'request completed'],
      [50, 'request completed'],
      [30, 'request aborted'],
    ]);
  });

  it('writes nothing below its level, nor for probes and scrapes', async () => {
    const { lines, logger } = capture('warn');
    const log = new RequestLog(logger);
    await request(log, 202);
    await request(log, 503, true, '/health/ready');
    await request(log, 500, true, '/metrics');
    expect(lines).toEqual([]);
  });

  it('logs a routine poll between our services at debug, unless it fails', async () => {
    const { lines, logger } = capture('info');
    const log = new RequestLog(logger);
    const routine = { [ROUTINE_REQUEST_HEADER]: '1' };
    await request(log, 200, true, '/admin/price-rules?status=active', routine);
    await request(log, 503, true, '/admin/price-rules?status=active', routine);
    expect(lines.map((l) => [l.level, l.res])).toEqual([[50, { statusCode: 503 }]]);

    const debug = capture('debug');
    await request(new RequestLog(debug.logger), 200, true, '/admin/price-rules', routine);
    expect(debug.lines.map((l) => l.level)).toEqual([20]);
  });
});
