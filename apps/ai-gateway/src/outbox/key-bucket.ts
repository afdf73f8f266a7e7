/**
 * Outbox rows are spread over a fixed number of key buckets; a relay owns whole buckets while it
 * publishes, so all events of one user go out through one relay at a time, in commit order.
 * Changing the count while rows are unpublished could reorder them: it is fixed.
 */
export const OUTBOX_KEY_BUCKETS = 16;

/** FNV-1a (32 bit) of the key: stable across processes and versions, unlike a runtime hash. */
export function keyBucket(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % OUTBOX_KEY_BUCKETS;
}
