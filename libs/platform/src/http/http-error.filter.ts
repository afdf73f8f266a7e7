import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorBody, ErrorCode } from '@tally/contracts';
import type { Response } from 'express';
import { DomainError } from '../errors/domain.error';
import { errorCodeForStatus, httpStatusFor } from './http-status-for';

/** Every error of both apps leaves as `{ statusCode, code, message, details? }`. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const body = errorBodyOf(error);
    if (body.statusCode >= 500) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    host.switchToHttp().getResponse<Response>().status(body.statusCode).json(body);
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
  return { statusCode: 500, code: ErrorCode.InternalError, message: 'internal error' };
}
