import { applyDecorators } from '@nestjs/common';
import { IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsStorableText } from './storable-text';

/**
 * Upper bound of one amount. Balances are summed in bigint, but JSON carries numbers, so a single
 * movement is capped far below 2^53 to keep every total exact when sent as a JSON number.
 */
export const MAX_AMOUNT = 1_000_000_000_000;

/** `tally:` is the ledger's own namespace (expiry entries, order credits), never a producer's. */
const EVENT_ID = /^(?!tally:)[A-Za-z0-9][A-Za-z0-9:._-]{0,127}$/;
const USER_ID = /^[A-Za-z0-9][A-Za-z0-9:._@-]{0,127}$/;
const SOURCE = /^[a-z][a-z0-9_.:-]{0,63}$/;

export function isUserId(value: string): boolean {
  return USER_ID.test(value);
}

export function isEventId(value: string): boolean {
  return EVENT_ID.test(value);
}

export function isSource(value: string): boolean {
  return SOURCE.test(value);
}

/** Producer-chosen idempotency key: a UUIDv7 by default, or a natural key such as `order:42`. */
export function IsEventId(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(EVENT_ID, {
      message:
        '$property must be 1-128 letters, digits or : . _ - (starting with a letter or digit, not with "tally:")',
    }),
  );
}

export function IsUserId(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(USER_ID, {
      message:
        '$property must be 1-128 letters, digits or : . _ @ - (starting with a letter or digit)',
    }),
  );
}

export function IsSource(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Matches(SOURCE, {
      message:
        '$property must be 1-64 lowercase letters, digits or _ . : - (starting with a letter)',
    }),
  );
}

/** A whole number of credits, 0..MAX_AMOUNT or min..MAX_AMOUNT. */
export function IsCreditAmount(min = 1): PropertyDecorator {
  return applyDecorators(IsInt(), Min(min), Max(MAX_AMOUNT));
}

export function IsDescription(): PropertyDecorator {
  return applyDecorators(IsString(), MaxLength(500), IsStorableText());
}
