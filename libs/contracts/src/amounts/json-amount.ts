import { buildMessage, ValidateBy } from 'class-validator';

/**
 * A whole amount on the wire (SPEC §1): a JSON number while a double holds it exactly, a decimal
 * string beyond 2^53 − 1. Readers take either form for any value and work in bigint.
 */
export type JsonAmount = number | string;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
/** PostgreSQL's bigint, where every amount is kept. */
const MAX_BIGINT = 2n ** 63n - 1n;
const MIN_BIGINT = -(2n ** 63n);
const DECIMAL = /^-?(0|[1-9]\d{0,18})$/;

export function jsonAmount(value: bigint): JsonAmount {
  return value > MAX_SAFE || value < MIN_SAFE ? value.toString() : Number(value);
}

/** The amount a JSON value carries, or undefined when it is not a whole amount in bigint range. */
export function parseJsonAmount(value: unknown): bigint | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (typeof value !== 'string' || !DECIMAL.test(value)) return undefined;
  const amount = BigInt(value);
  return amount >= MIN_BIGINT && amount <= MAX_BIGINT ? amount : undefined;
}

/** A JsonAmount of at least `min`. */
export function IsJsonAmount(min?: bigint): PropertyDecorator {
  return ValidateBy({
    name: 'isJsonAmount',
    validator: {
      validate: (value: unknown) => {
        const amount = parseJsonAmount(value);
        return amount !== undefined && (min === undefined || amount >= min);
      },
      defaultMessage: buildMessage(
        (each) =>
          `${each}$property must be a whole number${min === undefined ? '' : ` ≥ ${min}`} (a decimal string beyond 2^53)`,
      ),
    },
  });
}
