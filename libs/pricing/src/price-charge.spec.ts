import type { RulePricing } from './price-rule';
import { priceCharge } from './price-charge';

const perCall = (credits_per_call: string): RulePricing => ({
  mode: 'fixed',
  input_per_million: null,
  output_per_million: null,
  cached_per_million: null,
  cache_write_per_million: null,
  cache_write_1h_per_million: null,
  reasoning_per_million: null,
  credits_per_call,
  credits_per_second: null,
  min_credits: null,
});

describe('priceCharge', () => {
  it('answers the amount of one charge', () => {
    expect(priceCharge(perCall('2.5'), {})).toEqual({ ok: true, amount: 3, exact_cost: '2.5' });
  });

  it('refuses a usage that cannot be priced, and an amount beyond MAX_AMOUNT, naming usage', () => {
    expect(priceCharge(perCall('1'), { reasoning_tokens: 1 })).toEqual({
      ok: false,
      problems: [expect.stringContaining('usage.reasoning_tokens')],
    });
    expect(priceCharge(perCall('999999999.999999'), { seconds: 1 })).toMatchObject({ ok: true });
    const big = { ...perCall('1'), mode: 'duration' as const, credits_per_second: '999999999' };
    expect(priceCharge(big, { seconds: 10_000 })).toEqual({
      ok: false,
      problems: [
        expect.stringMatching(/^usage: costs \d+ credits, more than one charge may carry/),
      ],
    });
  });
});
