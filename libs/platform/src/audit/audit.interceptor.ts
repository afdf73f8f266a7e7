import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { catchError, from, mergeMap, Observable, of, throwError } from 'rxjs';
import { errorBodyOf } from '../http/http-error.filter';
import { currentRequestScope } from '../logging/request-context';
import { AuditTrail } from './audit-trail';

/**
 * Settles an audited request whose transactions wrote no record: a failure (`error`, or `denied`
 * for a limit), or a change made outside a transaction (`ok`).
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly trail: AuditTrail) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!currentRequestScope()?.audit) return next.handle();
    return next.handle().pipe(
      mergeMap((value) => from(this.trail.settle('ok')).pipe(mergeMap(() => of(value)))),
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
