/**
 * Amounts leave as JSON numbers. Single movements are capped (MAX_AMOUNT) so that a balance cannot
 * realistically pass 2^53; if one ever does, refusing to answer beats answering a rounded number.
 */
export function jsonAmount(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new Error(`amount ${value} cannot be sent exactly as a JSON number`);
  }
  return Number(value);
}
