import type { NextFunction, Request, Response } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { loggableUrl } from './loggable-url';

/** Bearer tokens, API keys and cookies never reach a log line. */
export const REDACTED_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-api-key'];

/** Probes and scrapes come every few seconds and say nothing about the traffic. */
const UNLOGGED = (url: string) => url === '/metrics' || url.startsWith('/health');

/**
 * Set by our own services on the requests they repeat on a timer (the gateway's price-rule
 * refresh): a successful one is logged at debug, so idle logs stay readable. Failures still warn.
 */
export const ROUTINE_REQUEST_HEADER = 'x-tally-routine';

/**
 * One JSON line per finished (or abandoned) request: its id, method, URL (secret-looking query
 * values redacted), headers with the secret ones redacted, status and time. Bodies are never logged. 5xx lines are errors, 4xx warnings,
 * routine polls debug, the rest info, and nothing is built for a line whose level is off.
 */
export class RequestLog {
  constructor(private readonly logger: Logger) {}

  middleware(): (req: Request & { id?: string }, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      const started = process.hrtime.bigint();
      res.once('close', () => {
        const status = res.statusCode;
        const level = levelFor(status, req.headers[ROUTINE_REQUEST_HEADER] !== undefined);
        if (!this.logger.isLevelEnabled(level) || UNLOGGED(req.originalUrl)) return;
        this.logger[level](
          {
            reqId: req.id,
            req: {
              id: req.id,
              method: req.method,
              url: loggableUrl(req.originalUrl),
              headers: redacted(req.headers),
            },
            res: { statusCode: status },
            responseTime: Number(process.hrtime.bigint() - started) / 1e6,
          },
          res.writableFinished ? 'request completed' : 'request aborted',
        );
      });
      next();
    };
  }
}

function levelFor(status: number, routine: boolean): 'error' | 'warn' | 'info' | 'debug' {
  if (status >= 500) return 'error';
  if (status >= 400) return 'warn';
  return routine ? 'debug' : 'info';
}

function redacted(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of REDACTED_HEADERS) if (name in copy) copy[name] = '[redacted]';
  return copy;
}
