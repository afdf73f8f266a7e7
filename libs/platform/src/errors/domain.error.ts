import { ErrorCode } from '@tally/contracts';

/**
 * A refusal the domain decided on (conflict, not found, insufficient credits...). Services throw it;
 * each edge maps its code once (HTTP status in HttpErrorFilter, dead-letter reason on the bus).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: string[],
    /** Headers the HTTP answer carries besides the body (e.g. `retry-after` of a 429). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
