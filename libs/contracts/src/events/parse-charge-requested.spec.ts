import { ErrorCode } from '../errors/error-code';
import { parseChargeRequested } from './parse-charge-requested';

const valid = () => ({
  event_id: '0190f2a4-7c1e-7b2a-9a4e-1c2d3e4f5a6b',
  event_type: 'credit.charge.requested',
  schema_version: 1,
  occurred_at: '2026-11-23T10:00:00.000Z',
  producer: 'ai-gateway',
  payload: {
    user_id: 'user-1',
    amount: 42,
    source: 'chat',
    pricing: { mode: 'tokens', model: 'gpt-x', usage: { input_tokens: 100, output_tokens: 20 } },
    metadata: { request_id: 'r1' },
  },
});
const parse = (value: unknown) => parseChargeRequested(Buffer.from(JSON.stringify(value)));
const reasonsOf = (value: unknown) => {
  const result = parse(value);
  if (result.ok) throw new Error('expected a refusal');
  return result;
};

describe('parseChargeRequested', () => {
  it('returns the typed event for a valid envelope', () => {
    const result = parse(valid());
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.event.payload.amount).toBe(42);
      expect(result.event.payload.pricing.usage.input_tokens).toBe(100);
      expect(result.event.payload.metadata).toEqual({ request_id: 'r1' });
    }
  });

  it('refuses a value that is not JSON, or none at all, as invalid_json', () => {
    expect(parseChargeRequested(Buffer.from('{oops'))).toMatchObject({
      ok: false,
      code: ErrorCode.InvalidJson,
    });
    expect(parseChargeRequested(null)).toMatchObject({ ok: false, code: ErrorCode.InvalidJson });
    expect(parseChargeRequested(Buffer.alloc(0))).toMatchObject({
      ok: false,
      code: ErrorCode.InvalidJson,
    });
  });

  // class-transformer throws on a `constructor` key: that must be a refusal (dead letter), never
  // an exception, which would make the consumer retry the same batch forever. The edge's rule
  // refuses the key before class-transformer sees it, naming where it is.
  it.each([
    ['{"constructor":1}', 'payload.metadata.constructor'],
    ['{"nested":{"constructor":{"name":"x"}}}', 'payload.metadata.nested.constructor'],
  ])('refuses metadata %s it cannot read, without throwing', (metadata, field) => {
    const refused = reasonsOf({
      ...valid(),
      payload: { ...valid().payload, metadata: JSON.parse(metadata) as object },
    });
    expect(refused.code).toBe(ErrorCode.ValidationFailed);
    expect(refused.reasons).toEqual([`${field}: is a reserved key and should not exist`]);
  });

  it('refuses another schema_version with its own code', () => {
    expect(reasonsOf({ ...valid(), schema_version: 2 })).toMatchObject({
      code: ErrorCode.UnsupportedSchemaVersion,
    });
  });

  it.each([
    ['a negative amount', { amount: -1 }, 'payload.amount'],
    ['a fractional amount', { amount: 1.5 }, 'payload.amount'],
    ['an amount given as a string', { amount: '42' }, 'payload.amount'],
    ['an amount beyond the cap', { amount: 2 ** 53 }, 'payload.amount'],
    ['a missing user_id', { user_id: undefined }, 'payload.user_id: is required'],
    ['an income source', { source: 'purchase' }, 'payload.source'],
    ['an unknown pricing mode', { pricing: { mode: 'guess', usage: {} } }, 'payload.pricing.mode'],
    [
      'negative token usage',
      { pricing: { mode: 'tokens', usage: { output_tokens: -3 } } },
      'output_tokens',
    ],
    ['an unknown payload field', { colour: 'red' }, 'colour'],
  ])('names the field for %s', (_name, change, mentioned) => {
    const result = reasonsOf({ ...valid(), payload: { ...valid().payload, ...change } });
    expect(result.code).toBe(ErrorCode.ValidationFailed);
    expect(result.reasons.join('; ')).toContain(mentioned);
  });

  it('refuses a wrong event_type, a bad timestamp and unknown envelope fields', () => {
    const reasons = reasonsOf({
      ...valid(),
      event_type: 'other',
      occurred_at: 'yesterday',
      extra: 1,
    }).reasons;
    expect(reasons.join('; ')).toMatch(/event_type/);
    expect(reasons.join('; ')).toMatch(/occurred_at/);
    expect(reasons.join('; ')).toMatch(/extra/);
  });

  it('refuses an occurred_at without its offset, which the server would read in its own zone', () => {
    for (const occurred_at of ['2026-11-23T10:00:00', '2026-11-23T10:00:00.000']) {
      expect(reasonsOf({ ...valid(), occurred_at }).reasons.join('; ')).toMatch(/occurred_at/);
    }
    expect(parse({ ...valid(), occurred_at: '2026-11-23T10:00:00+01:00' }).ok).toBe(true);
  });

  it('accepts amount 0 only for free pricing', () => {
    const free = {
      ...valid(),
      payload: { ...valid().payload, amount: 0, pricing: { mode: 'free', usage: {} } },
    };
    expect(parse(free).ok).toBe(true);
    expect(
      reasonsOf({ ...valid(), payload: { ...valid().payload, amount: 0 } }).reasons[0],
    ).toContain('free');
    expect(reasonsOf({ ...free, payload: { ...free.payload, amount: 3 } }).reasons[0]).toContain(
      'free',
    );
  });
});
