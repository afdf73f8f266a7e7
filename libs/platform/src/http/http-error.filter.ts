import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorBody, ErrorCode } from '@tally/contracts';
import type { Response } from 'express';
import { DomainError } from '../errors/domain.error';
import { errorCodeForStatus, httpStatusFor } from './http-status-for';

/** Errors thrown by body-parser before Nest sees the request (they carry `type` and `status`). */
interface BodyParserError {
  type: string;
  status: number;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && 'type' in error && 'status' in error;
}

/** Every error of both apps leaves as `{ statusCode, code, message, details? }`. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const body = this.toBody(error);
    if (body.statusCode >= 500) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    host.switchToHttp().getResponse<Response>().status(body.statusCode).json(body);
  }

  private toBody(error: unknown): ErrorBody {
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
    if (isBodyParserError(error)) {
      if (error.type === 'entity.too.large') {
        return { statusCode: 413, code: ErrorCode.PayloadTooLarge, message: 'request body is too large' };
      }
      if (error.type === 'entity.parse.failed') {
        return { statusCode: 400, code: ErrorCode.InvalidJson, message: 'request body is not valid JSON' };
      }
      return { statusCode: 400, code: ErrorCode.ValidationFailed, message: error.message };
    }
    return { statusCode: 500, code: ErrorCode.InternalError, message: 'internal error' };
  }
}
