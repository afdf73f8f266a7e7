import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'tly_';
/** 24 random bytes: 192 bits, base64url without padding (32 characters). */
const SECRET_BYTES = 24;
const SHAPE = /^tly_[A-Za-z0-9_-]{32}$/;

export interface NewApiKeySecret {
  /** Shown to the caller once, never stored. */
  key: string;
  /** Enough to recognise the key in a list, too little to guess it. */
  prefix: string;
  hash: Buffer;
}

export function newApiKeySecret(): NewApiKeySecret {
  const key = PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
  return { key, prefix: key.slice(0, PREFIX.length + 6), hash: apiKeyHash(key) };
}

/**
 * What is stored and looked up. The key is long and random, so one SHA-256 is enough (a slow
 * password hash protects guessable secrets, which these are not); lookup by the hash means the
 * secret itself is never compared byte by byte.
 */
export function apiKeyHash(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** Cheap pre-check so that garbage never reaches the database. */
export function looksLikeApiKey(candidate: string): boolean {
  return SHAPE.test(candidate);
}
