import { validatePlain } from '@tally/contracts';
import fc from 'fast-check';
import { maybe, mostly, optional, upTo } from '../../../../../test/support/validation-arbitraries';
import { CreateChargeDto } from './create-charge.dto';

const usage = fc.record(
  {
    input_tokens: optional(fc.integer({ min: -1, max: 10_000 })),
    output_tokens: optional(fc.nat()),
    cached_tokens: optional(fc.nat()),
    reasoning_tokens: optional(fc.nat()),
    seconds: optional(fc.double({ min: -1, max: 1e6, noNaN: true })),
  },
  { requiredKeys: [] },
);
const body = fc.record(
  {
    event_id: maybe(mostly(['019a-evt', 'order:42'], ['tally:x', ':x', 'e'.repeat(129), 'a b'])),
    user_id: maybe(mostly(['alice', 'u-1', 'a@b.c'], ['bad user', '-x', 'x'.repeat(129)])),
    source: maybe(mostly(['chat', 'tts', 'video.v2'], ['purchase', 'expire', 'Chat', '1x'])),
    amount: optional(fc.integer({ min: -2, max: 10 ** 12 + 2 })),
    scene: optional(mostly(['chat', 'tts', 'a.b-c_d'], ['Chat', '1x', 's'.repeat(65), ''])),
    provider: optional(upTo(128)),
    model: optional(upTo(128)),
    usage: optional(usage),
    source_ref_id: optional(upTo(128)),
    hold_id: optional(upTo(64)),
    description: optional(upTo(500)),
    metadata: optional(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer()))),
  },
  { requiredKeys: [] },
);

const isPlainlyValidCreateCharge = (body: unknown) =>
  CreateChargeDto.fromPlainlyValid(body) !== undefined;

describe('isPlainlyValidCreateCharge (the charge endpoint fast path)', () => {
  it('accepts only what CreateChargeDto accepts, builds the same DTO, and takes most valid bodies', () => {
    let validBodies = 0;
    let fastAccepted = 0;
    fc.assert(
      fc.property(
        body,
        // One body in six with a key nobody declared (the full rules drop __proto__ and a top-level
        // constructor silently; the fast path leaves both to them).
        fc.oneof(
          { weight: 5, arbitrary: fc.constant(null) },
          { weight: 1, arbitrary: fc.constantFrom('extra', '__proto__', 'constructor') },
        ),
        (candidate, stray) => {
          const plain = JSON.parse(
            JSON.stringify(stray ? { ...candidate, [stray]: 1 } : candidate),
          ) as unknown;
          const full = validatePlain(CreateChargeDto, plain);
          const fast = CreateChargeDto.fromPlainlyValid(plain);
          if (full.ok) validBodies++;
          if (!fast) return;
          fastAccepted++;
          expect(full).toMatchObject({ ok: true });
          expect(fast).toBeInstanceOf(CreateChargeDto);
          expect(JSON.stringify(fast)).toBe(JSON.stringify(full.ok && full.value));
        },
      ),
      { numRuns: 20_000 },
    );
    // The implication above is only worth something if the fast path says yes often enough: it
    // leaves to the full rules only the odd valid body (a stray __proto__, a null optional).
    expect(validBodies).toBeGreaterThan(250);
    expect(fastAccepted / validBodies).toBeGreaterThan(0.8);
  });

  it('accepts the ordinary bodies: an explicit amount, and a model with its usage', () => {
    expect(
      isPlainlyValidCreateCharge({
        event_id: 'tts-job-42',
        user_id: 'alice',
        amount: 7,
        source: 'tts',
        metadata: { job: 'j-1' },
      }),
    ).toBe(true);
    expect(
      isPlainlyValidCreateCharge({
        event_id: 'chat-1',
        user_id: 'alice',
        source: 'chat',
        model: 'gpt-4o',
        provider: 'openai',
        usage: { input_tokens: 30, output_tokens: 20 },
      }),
    ).toBe(true);
  });

  it.each([
    ['a null optional field', { description: null }],
    ['a reserved source', { source: 'purchase' }],
    ['an amount of 0', { amount: 0 }],
    ['an empty model', { model: '' }],
    ['a stray field', { colour: 'red' }],
    ['a constructor key in metadata', { metadata: { constructor: 1 } }],
    [
      'a toString key in metadata (class-transformer drops it)',
      { metadata: { a: { toString: 0 } } },
    ],
  ])('leaves %s to the full rules', (_, change) => {
    const plain = { event_id: 'e-1', user_id: 'u', source: 'tts', amount: 1, ...change };
    expect(isPlainlyValidCreateCharge(plain)).toBe(false);
  });
});
