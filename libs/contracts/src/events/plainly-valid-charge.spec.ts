import fc from 'fast-check';
import {
  acceptedAsTheFullRulesRead,
  maybe,
  mostly,
  optional,
  upTo,
} from '../../../../test/support/validation-arbitraries';
import { ChargeRequestedEvent } from './charge-requested.event';
import { isPlainlyValidCharge } from './parse-charge-requested';

const usage = fc.record(
  {
    input_tokens: optional(fc.nat()),
    output_tokens: optional(fc.nat()),
    cached_tokens: optional(fc.nat()),
    reasoning_tokens: optional(fc.nat()),
    seconds: optional(fc.double({ min: 0, max: 1e6, noNaN: true })),
  },
  { requiredKeys: [] },
);
const pricing = fc.record(
  {
    rule_id: optional(upTo(64)),
    rule_version: optional(fc.integer({ min: 0, max: 5 })),
    model: optional(upTo(128)),
    provider: optional(upTo(64)),
    mode: maybe(mostly(['tokens', 'fixed', 'duration', 'free'], ['other', 'TOKENS'])),
    usage: maybe(usage),
  },
  { requiredKeys: ['mode', 'usage'] },
);
const payload = fc.record(
  {
    user_id: maybe(mostly(['alice', 'u-1', 'a@b.c'], ['bad user', '-x', 'x'.repeat(129)])),
    source: maybe(mostly(['chat', 'tts', 'video.v2'], ['purchase', 'expire', 'Chat', '1x'])),
    source_ref_id: optional(upTo(128)),
    hold_id: optional(upTo(64)),
    description: optional(upTo(500)),
    metadata: optional(fc.dictionary(fc.string(), fc.string())),
    amount: maybe(fc.integer({ min: -2, max: 10 ** 12 + 2 })),
    sequence: optional(fc.integer({ min: -1, max: 100 })),
    pricing: maybe(pricing),
  },
  { requiredKeys: ['user_id', 'source', 'amount', 'pricing'] },
);
const envelope = fc.record(
  {
    event_id: maybe(
      mostly(['019a-evt', 'order:42'], ['tally:expire:x', ':x', 'e'.repeat(129), 'a b']),
    ),
    event_type: maybe(mostly(['credit.charge.requested'], ['credit.balance.updated'])),
    schema_version: maybe(mostly([1], [2])),
    occurred_at: maybe(
      mostly(['2026-11-23T10:00:00.000Z', '2026-11-23T10:00:00+01:00'], ['2026-02-30', 'now']),
    ),
    producer: maybe(upTo(64)),
    payload: maybe(payload),
  },
  {
    requiredKeys: [
      'event_id',
      'event_type',
      'schema_version',
      'occurred_at',
      'producer',
      'payload',
    ],
  },
);
/** Sometimes a key nobody declared, at any level. */
const withStrayKey = (value: unknown, key: string, where: number) => {
  const target = [value, (value as { payload?: unknown })?.payload][where % 2];
  if (typeof target === 'object' && target !== null && !Array.isArray(target)) {
    (target as Record<string, unknown>)[key] = 1;
  }
  return value;
};

describe('isPlainlyValidCharge (the consumer fast path)', () => {
  it('accepts only what the class-validator rules accept, as they would read it, over 20,000 messages', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        envelope,
        fc.oneof(
          { weight: 5, arbitrary: fc.constant(null) },
          {
            weight: 1,
            arbitrary: fc.tuple(fc.constantFrom('extra', '__proto__', 'constructor'), fc.nat()),
          },
        ),
        (candidate, stray) => {
          const message = JSON.parse(
            JSON.stringify(stray ? withStrayKey(candidate, stray[0], stray[1]) : candidate),
          ) as unknown;
          if (acceptedAsTheFullRulesRead(message, isPlainlyValidCharge, ChargeRequestedEvent)) {
            accepted++;
          }
        },
      ),
      { numRuns: 20_000 },
    );
    // The implication above is only worth something if the fast path says yes often enough.
    expect(accepted).toBeGreaterThan(250);
  });

  it('accepts the ordinary charge the gateway publishes', () => {
    expect(
      isPlainlyValidCharge({
        event_id: '019aa6e0-7c1e-7cc3-9a4e-3f1d5f0f2a11',
        event_type: 'credit.charge.requested',
        schema_version: 1,
        occurred_at: '2026-11-23T10:00:00.000Z',
        producer: 'ai-gateway',
        payload: {
          user_id: 'alice',
          amount: 7,
          source: 'chat',
          source_ref_id: 'chatcmpl-1',
          pricing: {
            rule_id: '3',
            rule_version: 2,
            model: 'gpt-4o',
            provider: 'openai',
            mode: 'tokens',
            usage: { input_tokens: 30, output_tokens: 20 },
          },
          metadata: { api_key_id: '9' },
          sequence: 12,
        },
      }),
    ).toBe(true);
  });

  it.each([
    ['a null optional field', { description: null }],
    ['a reserved source', { source: 'purchase' }],
    ['an amount above the cap', { amount: 10 ** 12 + 1 }],
    ['a fractional amount', { amount: 1.5 }],
    ['a stray field', { colour: 'red' }],
    ['a toString key in metadata (class-transformer drops it)', { metadata: { toString: 1 } }],
  ])('leaves %s to the full rules', (_, change) => {
    const message = {
      event_id: 'evt-1',
      event_type: 'credit.charge.requested',
      schema_version: 1,
      occurred_at: '2026-11-23T10:00:00.000Z',
      producer: 'svc',
      payload: {
        user_id: 'u',
        amount: 1,
        source: 'tts',
        pricing: { mode: 'fixed', usage: {} },
        ...change,
      },
    };
    expect(isPlainlyValidCharge(message)).toBe(false);
  });
});
