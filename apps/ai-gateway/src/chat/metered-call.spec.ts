import { priceUsage, PriceRuleVersion } from '@tally/pricing';
import type { BalanceGuard } from '../balances/balance-guard';
import type { ChargesService, NewCharge } from '../charges/charges.service';
import type { PriceBook } from '../pricing/price-book';
import { MeteredCall, MeteredCallParams } from './metered-call';

// 0.1 credit per input token, 0.2 per output token.
const rule: PriceRuleVersion = {
  id: 7,
  version: 2,
  scene: 'chat',
  provider: null,
  model: 'm',
  priority: 0,
  status: 'active',
  mode: 'tokens',
  input_per_million: '100000',
  output_per_million: '200000',
  cached_per_million: null,
  reasoning_per_million: null,
  credits_per_call: null,
  credits_per_second: null,
  min_credits: null,
};

function setup(overrides: Partial<MeteredCallParams> = {}, allowUpTo = Infinity) {
  const reserved: number[] = [];
  const released: string[] = [];
  const recorded: { charge: NewCharge; reservationId?: string }[] = [];
  const guard = {
    reserve: (_user: string, _id: string, amount: number) => {
      reserved.push(amount);
      return Promise.resolve();
    },
    extend: (_user: string, _id: string, amount: number) => {
      if (amount > allowUpTo) return Promise.resolve(false);
      reserved.push(amount);
      return Promise.resolve(true);
    },
    release: (id: string) => {
      released.push(id);
      return Promise.resolve();
    },
  } as unknown as BalanceGuard;
  const charges = {
    check: () => undefined,
    record: (charge: NewCharge, reservationId?: string) => {
      recorded.push({ charge, reservationId });
      return Promise.resolve({ amount: charge.amount, firstTime: true });
    },
  } as unknown as ChargesService;
  const prices = {
    price: (r: PriceRuleVersion, _target: unknown, usage: object) => ({
      amount: Number(priceUsage(r, usage).amount),
      pricing: { mode: r.mode, usage },
    }),
  } as unknown as PriceBook;
  const call = new MeteredCall(
    { guard, charges, prices },
    {
      userId: 'u1',
      apiKeyId: 'k1',
      rule,
      target: { scene: 'chat', model: 'm' },
      promptTokens: 100,
      sliceTokens: 100,
      ...overrides,
    },
  );
  return { call, reserved, released, recorded };
}

describe('MeteredCall', () => {
  it('reserves the prompt and a first slice, and the next slice once half of it is used', async () => {
    const { call, reserved } = setup();
    await call.open(100);
    expect(reserved).toEqual([30]); // 100 × 0.1 + 100 × 0.2
    expect(await call.cover(49)).toBe(true);
    expect(reserved).toEqual([30]);
    expect(await call.cover(50)).toBe(true);
    expect(reserved).toEqual([30, 50]); // 200 output tokens
  });

  it('lets a stream run to what is reserved once the next slice is refused, and no further', async () => {
    const { call, reserved } = setup({}, 40);
    await call.open(100);
    expect(await call.cover(60)).toBe(true); // extension refused, but 60 ≤ 100 reserved
    expect(await call.cover(100)).toBe(true);
    expect(await call.cover(101)).toBe(false);
    expect(reserved).toEqual([30]);
  });

  it('never reserves beyond the request’s own max_tokens, and never stops such a call', async () => {
    const { call, reserved } = setup({ maxOutputTokens: 30 });
    await call.open(100);
    expect(reserved).toEqual([16]); // 100 × 0.1 + 30 × 0.2
    expect(await call.cover(500)).toBe(true);
    expect(reserved).toEqual([16]);
  });

  it('charges the usage with the rule and hands its reservation to the charge transaction', async () => {
    const { call, recorded, released } = setup();
    await call.open(100);
    const amount = await call.settle(
      { input_tokens: 100, output_tokens: 11 },
      { finish: 'completed' },
      'chatcmpl-1',
    );
    expect(amount).toBe(13); // 10 + 2.2, rounded up
    expect(recorded).toHaveLength(1);
    expect(recorded[0].charge).toMatchObject({
      user_id: 'u1',
      source: 'chat',
      source_ref_id: 'chatcmpl-1',
      amount: 13,
      metadata: { api_key_id: 'k1', finish: 'completed' },
    });
    expect(recorded[0].reservationId).toBeDefined();
    await call.abandon();
    expect(released).toEqual([]);
  });

  it('releases the reservation of a call that is not charged', async () => {
    const { call, released } = setup();
    await call.open(100);
    await call.abandon();
    await call.abandon();
    expect(released).toHaveLength(1);
  });

  it('reserves nothing for a free model', async () => {
    const { call, reserved } = setup({ rule: { ...rule, mode: 'free' } });
    await call.open(100);
    expect(await call.cover(10_000)).toBe(true);
    expect(reserved).toEqual([]);
  });
});
