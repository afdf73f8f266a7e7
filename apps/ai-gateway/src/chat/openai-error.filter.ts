import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { errorBodyOf } from '@tally/platform';
import type { Response } from 'express';

/**
 * Errors of the client surface (/v1) in OpenAI's shape, `{ error: { message, type, param, code } }`,
 * which OpenAI's clients read; the code is still one of ours (e.g. `insufficient_credits`).
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(OpenAiErrorFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = errorBodyOf(error);
    if (body.code === ErrorCode.InternalError) {
      this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(body.statusCode).json({
      error: {
        message: body.message,
        type: openAiType(body.statusCode, body.code),
        param: null,
        code: body.code,
      },
    });
  }
}

function openAiType(status: number, code: ErrorCode): string {
  if (code === ErrorCode.InsufficientCredits) return 'insufficient_credits';
  if (status === 401) return 'authentication_error';
  return status >= 500 ? 'api_error' : 'invalid_request_error';
}
