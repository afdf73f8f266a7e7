import { canonicalDecimal, ceilDiv, fromScaled, toScaled } from './exact-decimal';

describe('exact decimals', () => {
  it('scales decimal strings to integers exactly', () => {
    expect(toScaled('123456789.000001', 6)).toBe(123456789000001n);
    expect(toScaled('0.5', 6)).toBe(500000n);
    expect(toScaled('7', 3)).toBe(7000n);
    expect(() => toScaled('0.1234567', 6)).toThrow(RangeError);
    expect(() => toScaled('-1', 6)).toThrow(RangeError);
    expect(() => toScaled('1e-7', 6)).toThrow(RangeError);
  });

  it('writes scaled integers back without trailing zeros', () => {
    expect(fromScaled(2500000n, 6)).toBe('2.5');
    expect(fromScaled(7n, 12)).toBe('0.000000000007');
    expect(fromScaled(0n, 6)).toBe('0');
    expect(fromScaled(-15n, 1)).toBe('-1.5');
    expect(canonicalDecimal('002.500', 6)).toBe('2.5');
    expect(canonicalDecimal('0.000', 6)).toBe('0');
  });

  it('divides rounding up', () => {
    expect(ceilDiv(0n, 10n)).toBe(0n);
    expect(ceilDiv(1n, 10n)).toBe(1n);
    expect(ceilDiv(10n, 10n)).toBe(1n);
    expect(ceilDiv(11n, 10n)).toBe(2n);
  });
});
