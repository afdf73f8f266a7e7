/** Exact decimals as scaled bigints: prices and costs never go through floating point. */

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** `value` × 10^places, exactly; refuses a value with more places (it would have to round). */
export function toScaled(value: string, places: number): bigint {
  const match = DECIMAL.exec(value);
  if (!match || (match[2] ?? '').length > places) {
    throw new RangeError(`"${value}" is not a decimal ≥ 0 with at most ${places} places`);
  }
  return BigInt(match[1] + (match[2] ?? '').padEnd(places, '0'));
}

/** scaled / 10^places as a decimal string, without trailing zeros. */
export function fromScaled(scaled: bigint, places: number): string {
  const sign = scaled < 0n ? '-' : '';
  const digits = (scaled < 0n ? -scaled : scaled).toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const fraction = digits.slice(digits.length - places).replace(/0+$/, '');
  return fraction ? `${sign}${whole}.${fraction}` : `${sign}${whole}`;
}

/** The same decimal written one way ("002.50" → "2.5"), so equal prices compare equal. */
export function canonicalDecimal(value: string, places: number): string {
  return fromScaled(toScaled(value, places), places);
}

/** ⌈n / d⌉ for n ≥ 0, d > 0. */
export function ceilDiv(n: bigint, d: bigint): bigint {
  return (n + d - 1n) / d;
}
