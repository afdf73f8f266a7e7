import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import { ErrorBody, ErrorCode } from '@tally/contracts';
import type { Request, Response } from 'express';
import { isDatabaseUnavailable } from '../database/database-unavailable';
import { LIMIT_EXCEEDED_SQLSTATE, sqlStateOf } from '../database/sql-state';
import { DomainError } from '../errors/domain.error';
import { errorCodeForStatus, httpStatusFor } from './http-status-for';
import { matchedRoute } from './routes';

/** Another rendering of the same error for the paths under a prefix (e.g. OpenAI's for /v1/). */
export interface ErrorShape {
  pathPrefix: string;
  render(body: ErrorBody): unknown;
}

/**
 * How an app answers a path no route serves (instead of Nest's bare "Cannot POST /x"): a message
 * that helps the client find the right one, in the shape that client reads.
 */
export interface UnmatchedPaths {
  message(req: Request): string;
  shape(req: Request): ErrorShape | undefined;
}

/**
 * Every error of both apps leaves as `{ statusCode, code, message, details? }`, or in the shape
 * its path's surface promises; this includes errors raised before routing (body parsing).
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  constructor(
    private readonly shapes: readonly ErrorShape[] = [],
    private readonly unmatched?: UnmatchedPaths,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const body = errorBodyOf(error);
    if (body.code === ErrorCode.InternalError) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    } else if (body.statusCode >= 500) {
      const cause = error instanceof Error ? ` (${error.message})` : '';
      this.logger.warn(`${body.code}: ${body.message}${cause}`);
    }
    // A stream already under way cannot change its status any more: it can only end.
    if (res.headersSent) {
      res.end();
      return;
    }
    const req = http.getRequest<Request>();
    const path = req.path ?? '';
    let shape = this.shapes.find((s) => path.startsWith(s.pathPrefix));
    if (this.unmatched && error instanceof NotFoundException && !matchedRoute(req)) {
      body.message = this.unmatched.message(req);
      shape = this.unmatched.shape(req);
    }
    if (error instanceof DomainError && error.headers) res.set(error.headers);
    res.status(body.statusCode).json(shape ? shape.render(body) : body);
  }
}

/** The answer for any error: ours (DomainError), Nest's or Express's (HttpException), or a 500. */
export function errorBodyOf(error: unknown): ErrorBody {
  if (error instanceof DomainError) {
    return {
      statusCode: httpStatusFor(error.code),
      code: error.code,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const given = typeof response === 'object' ? (response as Partial<ErrorBody>) : {};
    return {
      statusCode: status,
      code: given.code ?? errorCodeForStatus(status),
      message: typeof given.message === 'string' ? given.message : error.message,
      ...(given.details ? { details: given.details } : {}),
    };
  }
  if (sqlStateOf(error) === LIMIT_EXCEEDED_SQLSTATE) {
    // Raised by the ledger's trigger that keeps support's spend per day (its message says what is left).
    return {
      statusCode: httpStatusFor(ErrorCode.LimitExceeded),
      code: ErrorCode.LimitExceeded,
      message: (error as Error).message,
    };
  }
  if (isDatabaseUnavailable(error)) {
    // Nothing was recorded for a request whose transaction never committed: safe to send again.
    return {
      statusCode: 503,
      code: ErrorCode.ServiceUnavailable,
      message: 'the database is unavailable; try again',
    };
  }
  return { statusCode: 500, code: ErrorCode.InternalError, message: 'internal error' };
}
