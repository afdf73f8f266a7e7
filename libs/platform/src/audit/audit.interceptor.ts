import { CallHandler, ExecutionContext, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import type { Response } from 'express';
import { catchError, from, mergeMap, Observable, tap, throwError } from 'rxjs';
import { errorBodyOf } from '../http/http-error.filter';
import { currentRequestScope } from '../logging/request-context';
import { AuditTrail } from './audit-trail';

/**
 * Settles an audited request whose transactions wrote no record: a failure (`error`, or `denied`
 * for a limit), or a change made outside a transaction (`ok`).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger(AuditInterceptor.name);

  constructor(private readonly trail: AuditTrail) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const audit = currentRequestScope()?.audit;
    if (!audit) return next.handle();
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      tap(() => {
        // Settled once the answer's status is known (a forwarded call answers the status it got).
        res.once('finish', () => {
          if (audit.state === 'committed') return;
          const outcome = res.statusCode < 400 ? 'ok' : 'error';
          this.trail.settle(outcome, res.statusCode, audit).catch((error: unknown) => {
            this.logger.error(`an audit record could not be written: ${String(error)}`);
          });
        });
      }),
      catchError((error: unknown) => {
        const body = errorBodyOf(error);
        const outcome = body.code === ErrorCode.LimitExceeded ? 'denied' : 'error';
        return from(this.trail.settle(outcome, body.statusCode)).pipe(
          mergeMap(() => throwError(() => error)),
        );
      }),
    );
  }
}
