import { jsonAmount, parseJsonAmount } from './json-amount';

describe('JSON amounts', () => {
  it('are numbers while exact and decimal strings beyond 2^53', () => {
    expect(jsonAmount(9_007_199_254_740_991n)).toBe(9_007_199_254_740_991);
    expect(jsonAmount(-9_007_199_254_740_991n)).toBe(-9_007_199_254_740_991);
    expect(jsonAmount(9_007_199_254_740_993n)).toBe('9007199254740993');
    expect(jsonAmount(-9_016_200_254_740_993n)).toBe('-9016200254740993');
  });

  it('read back exactly in either form, and refuse what is not a whole bigint', () => {
    for (const value of [0n, -1n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n]) {
      expect(parseJsonAmount(jsonAmount(value))).toBe(value);
      expect(parseJsonAmount(value.toString())).toBe(value);
    }
    for (const bad of [1.5, 2 ** 53, '2^53', '01', '1e3', ' 1', (2n ** 63n).toString(), null]) {
      expect(parseJsonAmount(bad)).toBeUndefined();
    }
  });
});
