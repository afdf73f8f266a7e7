import { createHash } from 'node:crypto';

/**
 * The same UUID for the same parts, whatever their length: version 8 (RFC 9562) made of the
 * SHA-256 of the parts joined by newlines. For ids that must not change when a fact is sent again.
 */
export function stableUuid(...parts: string[]): string {
  const bytes = createHash('sha256').update(parts.join('\n')).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x80;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
