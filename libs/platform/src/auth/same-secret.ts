import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether a presented secret equals the expected one, in time that depends on neither: both are
 * hashed first, so the bytes compared always have the same length, and timingSafeEqual looks at
 * every one of them (a plain === stops at the first difference, and a length check first would
 * tell the length).
 */
export function sameSecret(given: string, expected: string): boolean {
  return sameDigest(secretDigest(given), secretDigest(expected));
}

/** What sameSecret compares; a secret checked on every request is hashed once, up front. */
export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function sameDigest(given: Buffer, expected: Buffer): boolean {
  return timingSafeEqual(given, expected);
}
