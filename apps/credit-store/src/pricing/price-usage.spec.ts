import type { PriceRule } from './price-rule';
import { matchRule, priceUsage, toMicro, usageProblem } from './price-usage';

const rule = (overrides: Partial<PriceRule> = {}): PriceRule => ({
  id: 1,
  version: 1,
  scene: 'chat',
  provider: null,
  model: null,
  mode: 'tokens',
  priority: 0,
  status: 'active',
  input_per_million: '2',
  output_per_million: '8',
  cached_per_million: null,
  reasoning_per_million: null,
  credits_per_call: null,
  credits_per_second: null,
  min_credits: null,
  created_at: new Date(0),
  ...overrides,
});

describe('priceUsage', () => {
  it('prices tokens exactly and rounds once, up', () => {
    // 1,000 in × 2 + 500 out × 8 per million = 0.006 credits → 1.
    expect(priceUsage(rule(), { input_tokens: 1000, output_tokens: 500 })).toEqual({
      amount: 1,
      exact_cost: '0.006',
    });
    // 1,000,001 in × 2 per million = 2.000002 → 3.
    expect(priceUsage(rule(), { input_tokens: 1_000_001 }).amount).toBe(3);
    expect(priceUsage(rule(), { input_tokens: 1_000_000 }).amount).toBe(2);
  });

  it('prices cached and reasoning tokens at their own rates, or at input/output rates without them', () => {
    const usage = {
      input_tokens: 1_000_000,
      cached_tokens: 500_000,
      output_tokens: 1_000_000,
      reasoning_tokens: 250_000,
    };
    expect(priceUsage(rule(), usage).exact_cost).toBe('10');
    const own = rule({ cached_per_million: '0.5', reasoning_per_million: '16' });
    // 0.5M × 2 + 0.5M × 0.5 + 0.75M × 8 + 0.25M × 16 = 1 + 0.25 + 6 + 4.
    expect(priceUsage(own, usage).exact_cost).toBe('11.25');
    expect(priceUsage(own, usage).amount).toBe(12);
  });

  it('charges at least 1 credit and at least min_credits for any priced call', () => {
    expect(priceUsage(rule(), {}).amount).toBe(1);
    expect(priceUsage(rule({ min_credits: 5 }), { input_tokens: 10 }).amount).toBe(5);
    expect(priceUsage(rule({ mode: 'free' }), { input_tokens: 10 ** 9 }).amount).toBe(0);
  });

  it('prices fixed calls and durations with decimals exactly', () => {
    expect(priceUsage(rule({ mode: 'fixed', credits_per_call: '2.5' }), {}).amount).toBe(3);
    const tts = rule({ mode: 'duration', credits_per_second: '0.333333', min_credits: 2 });
    expect(priceUsage(tts, { seconds: 3 })).toEqual({ amount: 2, exact_cost: '0.999999' });
    expect(priceUsage(tts, { seconds: 30.5 }).amount).toBe(11);
  });

  it('stays exact where floating point would not (0.1 + 0.2)', () => {
    const r = rule({ input_per_million: '0.1', output_per_million: '0.2' });
    expect(priceUsage(r, { input_tokens: 10_000_000, output_tokens: 10_000_000 }).exact_cost).toBe(
      '3',
    );
    expect(toMicro('123456789.000001')).toBe(123456789000001n);
  });

  it('refuses cached above input and reasoning above output', () => {
    expect(usageProblem({ input_tokens: 1, cached_tokens: 2 })).toContain('cached_tokens');
    expect(usageProblem({ output_tokens: 1, reasoning_tokens: 2 })).toContain('reasoning_tokens');
    expect(usageProblem({ input_tokens: 2, cached_tokens: 2 })).toBeUndefined();
  });
});

describe('matchRule', () => {
  const rules = [
    rule({ id: 1 }),
    rule({ id: 2, provider: 'openai' }),
    rule({ id: 3, provider: 'openai', model: 'gpt-4o' }),
    rule({ id: 4, model: 'gpt-4o', status: 'inactive', priority: 99 }),
    rule({ id: 5, scene: 'tts', priority: 99 }),
  ];

  it('prefers the most specific active rule of the scene at equal priority', () => {
    expect(matchRule(rules, { scene: 'chat', provider: 'openai', model: 'gpt-4o' })?.id).toBe(3);
    expect(matchRule(rules, { scene: 'chat', provider: 'openai', model: 'other' })?.id).toBe(2);
    expect(matchRule(rules, { scene: 'chat', provider: 'anthropic' })?.id).toBe(1);
  });

  it('lets priority beat specificity, and finds nothing for an unknown scene', () => {
    const withPriority = [...rules, rule({ id: 6, priority: 10 })];
    expect(
      matchRule(withPriority, { scene: 'chat', provider: 'openai', model: 'gpt-4o' })?.id,
    ).toBe(6);
    expect(matchRule(rules, { scene: 'video' })).toBeUndefined();
  });
});
