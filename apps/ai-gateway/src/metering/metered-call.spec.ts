import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
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
  cache_write_per_million: null,
  cache_write_1h_per_million: null,
  reasoning_per_million: null,
  credits_per_call: null,
  credits_per_second: null,
  min_credits: null,
};

function setup(
  overrides: Partial<MeteredCallParams> = {},
  allowUpTo = Infinity,
  failRecords: Error[] = [],
) {
  const reserved: number[] = [];
  const released: string[] = [];
  const renewed: string[] = [];
  const failures: number[] = [];
  const recorded: { charge: NewCharge; reservationId?: string }[] = [];
  const guard = {
    renew: (id: string) => {
      renewed.push(id);
      return Promise.resolve(true);
    },
    reserve: (_user: string, _id: string, amount: number) => {
      reserved.push(amount);
      return Promise.resolve();
    },
    extend: (_user: string, _id: string, amount: number) => {
      if (amount > allowUpTo) {
        return Promise.resolve(new DomainError(ErrorCode.InsufficientCredits, 'no'));
      }
      reserved.push(amount);
      return Promise.resolve(undefined);
    },
    release: (id: string) => {
      released.push(id);
      return Promise.resolve();
    },
    affordable: () =>
      Promise.resolve({
        credits: BigInt(Number.isFinite(allowUpTo) ? allowUpTo : 1e9),
        by: 'balance',
      }),
  } as unknown as BalanceGuard;
  const charges = {
    check: () => undefined,
    record: (charge: NewCharge, reservationId?: string) => {
      const failure = failRecords.shift();
      if (failure) return Promise.reject(failure);
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
    { guard, charges, prices, onRecordFailure: (_error, attempt) => failures.push(attempt) },
    {
      userId: 'u1',
      source: 'chat',
      apiKeyId: 'k1',
      rule,
      target: { scene: 'chat', model: 'm' },
      promptTokens: 100,
      outputTokens: 100,
      sliceTokens: 100,
      renewEveryMs: 60_000,
      ...overrides,
    },
  );
  return { call, reserved, released, renewed, recorded, failures };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('MeteredCall', () => {
  it('reserves the prompt and all the output asked for (every choice) up front', async () => {
    const { call, reserved } = setup({ outputTokens: 40 * 50 });
    await call.open();
    expect(reserved).toEqual([410]); // 100 × 0.1 + 2000 × 0.2
    expect(await call.cover(2000 - 50 - 1)).toBe(true);
    expect(reserved).toEqual([410]);
  });

  it('reserves output at the reasoning price when reasoning costs more', async () => {
    const { call, reserved } = setup({ rule: { ...rule, reasoning_per_million: '500000' } });
    await call.open();
    expect(reserved).toEqual([60]); // 100 × 0.1 + 100 × 0.5
  });

  it('reserves the prompt at the cache-write price when writing the cache costs more', async () => {
    const { call, reserved } = setup({ rule: { ...rule, cache_write_per_million: '125000' } });
    await call.open();
    expect(reserved).toEqual([33]); // 100 × 0.125 + 100 × 0.2 = 32.5
  });

  it('reserves the prompt at the 1-hour cache-write price when the request asks for that cache', async () => {
    const cached = { ...rule, cache_write_per_million: '125000' };
    const asked = setup({ rule: cached, hourCacheWrites: true });
    await asked.call.open();
    expect(asked.reserved).toEqual([40]); // 100 × 0.2 (twice input) + 100 × 0.2
    const own = setup({
      rule: { ...cached, cache_write_1h_per_million: '300000' },
      hourCacheWrites: true,
    });
    await own.call.open();
    expect(own.reserved).toEqual([50]); // 100 × 0.3 + 100 × 0.2
    // A request that asks for no 1-hour cache cannot write to it: the 5-minute price bounds it.
    const notAsked = setup({ rule: { ...cached, cache_write_1h_per_million: '300000' } });
    await notAsked.call.open();
    expect(notAsked.reserved).toEqual([33]);
  });

  it('gives an upstream that goes past its limit a slice more at a time, while the user covers it', async () => {
    const { call, reserved } = setup();
    await call.open();
    expect(await call.cover(49)).toBe(true);
    expect(reserved).toEqual([30]);
    expect(await call.cover(50)).toBe(true);
    expect(reserved).toEqual([30, 50]); // 200 output tokens
  });

  it('grows by as many slices as one read needs, in one extension', async () => {
    const { call, reserved } = setup();
    await call.open();
    // 1,000 tokens in one read: 1,000 + half a slice → 11 slices (1,100 output tokens) in all.
    expect(await call.cover(1000)).toBe(true);
    expect(reserved).toEqual([30, 230]); // 100 × 0.1 + 1,100 × 0.2
    expect(call.coveredOutput).toBe(1100);
  });

  it('stops at the last slice it could reserve, whatever the request’s own limit', async () => {
    const { call, reserved } = setup({}, 40);
    await call.open();
    expect(await call.cover(60)).toBe(true); // extension refused, but 60 ≤ 100 reserved
    expect(await call.cover(100)).toBe(true);
    expect(await call.cover(101)).toBe(false);
    expect(reserved).toEqual([30]);
  });

  it('keeps its reservation alive while it runs, and stops once settled', async () => {
    const { call, renewed } = setup({ renewEveryMs: 10 });
    await call.open();
    for (const deadline = Date.now() + 5_000; renewed.length < 3 && Date.now() < deadline;) {
      await sleep(10);
    }
    expect(renewed.length).toBeGreaterThanOrEqual(3);
    await call.settle({ input_tokens: 100, output_tokens: 1 }, {});
    const atSettle = renewed.length;
    await sleep(30);
    expect(renewed.length).toBe(atSettle);
  });

  it('tries again to record its charge until it is recorded, once', async () => {
    const down = new Error('connection terminated');
    const { call, recorded, failures } = setup({}, Infinity, [down, down, down]);
    await call.open();
    expect(await call.settle({ input_tokens: 100, output_tokens: 11 }, {})).toBe(13);
    expect(failures).toEqual([1, 2, 3]);
    expect(recorded).toHaveLength(1);
  });

  it('does not try again a charge the ledger refuses', async () => {
    const refusal = new DomainError(ErrorCode.ValidationFailed, 'no');
    const { call, recorded, failures } = setup({}, Infinity, [refusal]);
    await call.open();
    await expect(call.settle({ input_tokens: 100, output_tokens: 11 }, {})).rejects.toBe(refusal);
    expect(failures).toEqual([]);
    expect(recorded).toEqual([]);
  });

  it('charges the usage with the rule and hands its reservation to the charge transaction', async () => {
    const { call, recorded, released } = setup();
    await call.open();
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

  it('charges a served call even when the upstream’s id is not text the ledger can store', async () => {
    const { call, recorded } = setup();
    await call.open();
    await call.settle({ input_tokens: 100, output_tokens: 11 }, {}, 'chatcmpl-\u0000x');
    await call.settle(
      { input_tokens: 100, output_tokens: 11 },
      {},
      `${'x'.repeat(127)}\ud83d\ude00`,
    );
    expect(recorded.map((r) => r.charge.source_ref_id)).toEqual([undefined, undefined]);
  });

  it('releases the reservation of a call that is not charged', async () => {
    const { call, released } = setup();
    await call.open();
    await call.abandon();
    await call.abandon();
    expect(released).toHaveLength(1);
  });

  it('reserves nothing for a free model', async () => {
    const { call, reserved, renewed } = setup({ rule: { ...rule, mode: 'free' }, renewEveryMs: 5 });
    await call.open();
    expect(await call.cover(10_000)).toBe(true);
    await sleep(20);
    expect(reserved).toEqual([]);
    expect(renewed).toEqual([]);
  });

  describe('across a chain of deployments and fallbacks', () => {
    // Another model: 0.5 credit per output token.
    const dearer = { ...rule, id: 8, model: 'f', output_per_million: '500000' };
    const fallback = { rule: dearer, target: { scene: 'chat', provider: 'p2', model: 'f' } };

    it('reserves for the dearest of the chain, charges at the price of the one that served and says where', async () => {
      const { call, reserved, recorded } = setup({ alternatives: [fallback] });
      await call.open();
      expect(reserved).toEqual([60]); // 100 × 0.1 + 100 × 0.5, not 10 + 100 × 0.2
      call.servedAt(fallback, 'fb-1', 3);
      expect(await call.settle({ input_tokens: 100, output_tokens: 10 }, {})).toBe(15);
      expect(recorded[0].charge).toMatchObject({
        pricing: { mode: 'tokens' },
        metadata: { served_by: 'fb-1', attempts: 3 },
      });
    });

    it('chooses the most output per choice the credits cover at the dearest price, within the bounds', async () => {
      // 330 credits: 10 for the prompt, 320 for 640 output tokens at 0.5, 320 per choice of 2.
      const { call, reserved } = setup({ alternatives: [fallback] }, 330);
      expect(await call.open({ most: 4096, least: 256, choices: 2 })).toBe(320);
      expect(reserved).toEqual([330]);
      const capped = setup({}, 1e6);
      expect(await capped.call.open({ most: 4096, least: 256, choices: 1 })).toBe(4096);
    });

    it('refuses below the least, naming what the call needs and what the credits buy', async () => {
      const { call, reserved } = setup({}, 60); // 10 for the prompt, 50 for 250 tokens at 0.2
      await expect(call.open({ most: 4096, least: 256, choices: 1 })).rejects.toMatchObject({
        code: ErrorCode.InsufficientCredits,
        message:
          'insufficient credits: this call needs at least 256 output tokens and 60 credits cover 250',
      });
      expect(reserved).toEqual([]);
    });
  });
});
