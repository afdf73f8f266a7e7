import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';

const KEY = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/;

/**
 * The `Idempotency-Key` header: absent, or a plain token (a UUID, `checkout:42`...). Anything else
 * (two such headers arrive joined by a comma) is a 400.
 */
export function idempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!KEY.test(header)) {
    throw new DomainError(
      ErrorCode.ValidationFailed,
      'Idempotency-Key must be 1-128 letters, digits or : . _ - (starting with a letter or digit)',
      ['Idempotency-Key: not a plain token'],
    );
  }
  return header;
}
