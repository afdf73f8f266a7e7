import type { RulePricing } from './price-rule';
import { MAX_SECONDS, priceUsage, usageProblems } from './price-usage';

const tokens = (overrides: Partial<RulePricing> = {}): RulePricing => ({
  mode: 'tokens',
  input_per_million: '2',
  output_per_million: '8',
  cached_per_million: null,
  cache_write_per_million: null,
  cache_write_1h_per_million: null,
  reasoning_per_million: null,
  credits_per_call: null,
  credits_per_second: null,
  min_credits: null,
  ...overrides,
});
const fixed = (credits_per_call: string, min_credits: number | null = null) =>
  tokens({
    mode: 'fixed',
    input_per_million: null,
    output_per_million: null,
    credits_per_call,
    min_credits,
  });
const duration = (credits_per_second: string, min_credits: number | null = null) =>
  tokens({
    mode: 'duration',
    input_per_million: null,
    output_per_million: null,
    credits_per_second,
    min_credits,
  });

describe('priceUsage in tokens mode', () => {
  it('prices per million tokens exactly and rounds once, up', () => {
    // 1,000 in × 2 + 500 out × 8, per million = 0.006 credits → 1.
    expect(priceUsage(tokens(), { input_tokens: 1000, output_tokens: 500 })).toEqual({
      amount: 1n,
      exact_cost: '0.006',
    });
    expect(priceUsage(tokens(), { input_tokens: 1_000_000 })).toEqual({
      amount: 2n,
      exact_cost: '2',
    });
    // One token more than 2 credits' worth: 2.000002 → 3 (never rounded to nearest).
    expect(priceUsage(tokens(), { input_tokens: 1_000_001 })).toEqual({
      amount: 3n,
      exact_cost: '2.000002',
    });
  });

  it('rounds the sum once, not each part', () => {
    // Each part is 0.5 credits; rounding each would give 2, the sum is exactly 1.
    const r = tokens({ input_per_million: '1', output_per_million: '1' });
    expect(priceUsage(r, { input_tokens: 500_000, output_tokens: 500_000 })).toEqual({
      amount: 1n,
      exact_cost: '1',
    });
  });

  it('prices cached and reasoning tokens at the input and output prices when the rule has none', () => {
    const usage = {
      input_tokens: 1_000_000,
      cached_tokens: 500_000,
      output_tokens: 1_000_000,
      reasoning_tokens: 250_000,
    };
    // Included in input/output, so the same as without the split: 1M × 2 + 1M × 8.
    expect(priceUsage(tokens(), usage).exact_cost).toBe('10');
  });

  it('prices cached and reasoning tokens at their own prices, as parts of input and output', () => {
    const r = tokens({ cached_per_million: '0.5', reasoning_per_million: '16' });
    const usage = {
      input_tokens: 1_000_000,
      cached_tokens: 500_000,
      output_tokens: 1_000_000,
      reasoning_tokens: 250_000,
    };
    // 0.5M × 2 + 0.5M × 0.5 + 0.75M × 8 + 0.25M × 16 = 1 + 0.25 + 6 + 4.
    expect(priceUsage(r, usage)).toEqual({ amount: 12n, exact_cost: '11.25' });
    // Everything cached, everything reasoning.
    expect(
      priceUsage(r, {
        input_tokens: 2_000_000,
        cached_tokens: 2_000_000,
        output_tokens: 1_000_000,
        reasoning_tokens: 1_000_000,
      }),
    ).toEqual({ amount: 17n, exact_cost: '17' });
  });

  it('prices cache writes at their own price, as a part of input (Anthropic in the ledger convention)', () => {
    // Anthropic input 20, cache read 40, cache write 10, output 30 at 0.1 / 0.01 / 0.125 / 0.2
    // credits a token: 2 + 0.4 + 1.25 + 6 = 9.65 → 10. In the ledger input counts all 70.
    const r = tokens({
      input_per_million: '100000',
      cached_per_million: '10000',
      cache_write_per_million: '125000',
      output_per_million: '200000',
    });
    const usage = {
      input_tokens: 70,
      cached_tokens: 40,
      cache_write_tokens: 10,
      output_tokens: 30,
    };
    expect(priceUsage(r, usage)).toEqual({ amount: 10n, exact_cost: '9.65' });
    // Without a cache-write price, the writes are input: 2 + 0.4 + 1 + 6.
    const noWritePrice = { ...r, cache_write_per_million: null };
    expect(priceUsage(noWritePrice, usage).exact_cost).toBe('9.4');
  });
  it('prices 1-hour cache writes apart: at their own price, else twice input (never under the 5-minute write)', () => {
    // Of the 10 writes, 4 to the 1-hour cache: 2 + 0.4 + 6 × 0.125 + 4 × 0.2 + 6 = 9.95 → 10.
    const r = tokens({
      input_per_million: '100000',
      cached_per_million: '10000',
      cache_write_per_million: '125000',
      output_per_million: '200000',
    });
    const usage = {
      input_tokens: 70,
      cached_tokens: 40,
      cache_write_tokens: 10,
      cache_write_1h_tokens: 4,
      output_tokens: 30,
    };
    expect(priceUsage(r, usage).exact_cost).toBe('9.95');
    // All ten to the 1-hour cache: 2 + 0.4 + 10 × 0.2 + 6 = 10.4 → 11, not the 5-minute 10.
    expect(priceUsage(r, { ...usage, cache_write_1h_tokens: 10 })).toEqual({
      amount: 11n,
      exact_cost: '10.4',
    });
    // The rule's own 1-hour price wins: 4 × 0.3.
    const own = { ...r, cache_write_1h_per_million: '300000' };
    expect(priceUsage(own, usage).exact_cost).toBe('10.35');
    // A 5-minute write dearer than twice input sets the floor for the 1-hour one: 4 × 0.25.
    const dearWrites = { ...r, cache_write_per_million: '250000' };
    expect(priceUsage(dearWrites, usage).exact_cost).toBe('10.9');
    // No cache prices at all: reads and 5-minute writes are input, 1-hour writes twice input:
    // 2 + 4 + 0.6 + 0.8 + 6.
    const bare = { ...r, cached_per_million: null, cache_write_per_million: null };
    expect(priceUsage(bare, usage).exact_cost).toBe('13.4');
  });
  it('refuses more 1-hour cache writes than cache writes (which include them)', () => {
    expect(
      usageProblems({ input_tokens: 10, cache_write_tokens: 3, cache_write_1h_tokens: 4 }),
    ).toEqual([expect.stringContaining('usage.cache_write_1h_tokens')]);
    expect(
      usageProblems({ input_tokens: 10, cache_write_tokens: 4, cache_write_1h_tokens: 4 }),
    ).toEqual([]);
  });
  it('refuses cache reads and writes that together exceed input, naming cache_write_tokens', () => {
    expect(usageProblems({ input_tokens: 10, cached_tokens: 6, cache_write_tokens: 5 })).toEqual([
      expect.stringContaining('usage.cache_write_tokens'),
    ]);
    expect(usageProblems({ input_tokens: 10, cached_tokens: 5, cache_write_tokens: 5 })).toEqual(
      [],
    );
  });
  it('treats a cached price of 0 as free cached tokens, not as "no price"', () => {
    const r = tokens({ cached_per_million: '0' });
    expect(priceUsage(r, { input_tokens: 3_000_000, cached_tokens: 2_000_000 }).exact_cost).toBe(
      '2',
    );
  });

  it('stays exact where floating point would not', () => {
    // 0.1 + 0.2 is 0.30000000000000004 in floating point.
    const r = tokens({ input_per_million: '0.1', output_per_million: '0.2' });
    expect(priceUsage(r, { input_tokens: 1_000_000, output_tokens: 1_000_000 })).toEqual({
      amount: 1n,
      exact_cost: '0.3',
    });
    // The smallest price on one token: 10^-12 credits, kept exactly.
    const tiny = tokens({ input_per_million: '0.000001' });
    expect(priceUsage(tiny, { input_tokens: 1 })).toEqual({
      amount: 1n,
      exact_cost: '0.000000000001',
    });
  });

  it('is exact for numbers far beyond 2^53', () => {
    const top = '999999999.999999';
    const r = tokens({ input_per_million: top, output_per_million: top });
    const usage = { input_tokens: Number.MAX_SAFE_INTEGER, output_tokens: Number.MAX_SAFE_INTEGER };
    // 2 × 9007199254740991 × 999999999.999999 / 10^6 (checked with Python's decimal module).
    expect(priceUsage(r, usage)).toEqual({
      amount: 18014398509481963986n,
      exact_cost: '18014398509481963985.601490518018',
    });
  });

  it('charges nothing for no tokens but the minimum of 1', () => {
    expect(priceUsage(tokens(), {})).toEqual({ amount: 1n, exact_cost: '0' });
    expect(
      priceUsage(tokens({ input_per_million: '0', output_per_million: '0' }), {
        input_tokens: 10,
      }),
    ).toEqual({ amount: 1n, exact_cost: '0' });
  });
});

describe('priceUsage in fixed, duration and free modes', () => {
  it('charges credits_per_call, rounded up', () => {
    expect(priceUsage(fixed('3'), { input_tokens: 10 ** 9 })).toEqual({
      amount: 3n,
      exact_cost: '3',
    });
    expect(priceUsage(fixed('2.000001'), {})).toEqual({ amount: 3n, exact_cost: '2.000001' });
    expect(priceUsage(fixed('0.2'), {})).toEqual({ amount: 1n, exact_cost: '0.2' });
  });

  it('charges seconds × credits_per_second, seconds to the millisecond', () => {
    expect(priceUsage(duration('0.5'), { seconds: 10 })).toEqual({ amount: 5n, exact_cost: '5' });
    expect(priceUsage(duration('2'), { seconds: 1.001 })).toEqual({
      amount: 3n,
      exact_cost: '2.002',
    });
    // 1.005 is 1.00499999999999989... as a double; it is priced as the 1.005 that was sent.
    expect(priceUsage(duration('1000'), { seconds: 1.005 }).exact_cost).toBe('1005');
    expect(priceUsage(duration('0.333333'), { seconds: 3 })).toEqual({
      amount: 1n,
      exact_cost: '0.999999',
    });
    expect(priceUsage(duration('1'), {})).toEqual({ amount: 1n, exact_cost: '0' });
  });

  it('applies min_credits after rounding, and only when it is above the cost', () => {
    expect(priceUsage(duration('0.333333', 2), { seconds: 3 }).amount).toBe(2n);
    expect(priceUsage(duration('0.333333', 2), { seconds: 30 }).amount).toBe(10n);
    expect(priceUsage(tokens({ min_credits: 5 }), { input_tokens: 10 }).amount).toBe(5n);
    expect(priceUsage(fixed('7', 0), {}).amount).toBe(7n);
    expect(priceUsage(fixed('0.1', 0), {}).amount).toBe(1n);
  });

  it('prices free calls at 0, whatever the usage', () => {
    const free = tokens({ mode: 'free', input_per_million: null, output_per_million: null });
    expect(priceUsage(free, { input_tokens: 10 ** 9, seconds: 60 })).toEqual({
      amount: 0n,
      exact_cost: '0',
    });
  });

  it('refuses a rule without the price its mode needs', () => {
    expect(() => priceUsage(fixed(null as unknown as string), {})).toThrow(/credits_per_call/);
    expect(() => priceUsage(tokens({ output_per_million: null }), {})).toThrow(
      /output_per_million/,
    );
  });
});

describe('usageProblems', () => {
  it('accepts usages that can be priced', () => {
    expect(usageProblems({})).toEqual([]);
    expect(usageProblems({ input_tokens: 2, cached_tokens: 2, output_tokens: 1 })).toEqual([]);
    expect(usageProblems({ seconds: 12.345 })).toEqual([]);
    expect(usageProblems({ seconds: MAX_SECONDS })).toEqual([]);
  });

  it('refuses cached above input and reasoning above output, naming the field', () => {
    expect(usageProblems({ input_tokens: 1, cached_tokens: 2 })).toEqual([
      expect.stringContaining('usage.cached_tokens'),
    ]);
    expect(usageProblems({ reasoning_tokens: 1 })).toEqual([
      expect.stringContaining('usage.reasoning_tokens'),
    ]);
    expect(() => priceUsage(tokens(), { input_tokens: 1, cached_tokens: 2 })).toThrow(
      /cached_tokens/,
    );
  });

  it('refuses seconds with more than 3 places, too large or negative, and inexact token counts', () => {
    expect(usageProblems({ seconds: 1.0001 })).toEqual([expect.stringContaining('usage.seconds')]);
    expect(usageProblems({ seconds: 1e-7 })).toEqual([expect.stringContaining('usage.seconds')]);
    expect(usageProblems({ seconds: MAX_SECONDS + 1 })).toHaveLength(1);
    expect(usageProblems({ seconds: -1 })).toHaveLength(1);
    expect(usageProblems({ input_tokens: 2 ** 53 })).toEqual([
      expect.stringContaining('usage.input_tokens'),
    ]);
    expect(usageProblems({ output_tokens: 1.5 })).toHaveLength(1);
  });
});
