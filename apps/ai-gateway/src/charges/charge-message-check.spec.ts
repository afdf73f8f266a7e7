import { MAX_MESSAGE_BYTES } from '@tally/contracts';
import { chargeMessageProblems } from './charge-message-check';
import { chargeRequestedEnvelope } from './charge-requested-envelope';

const envelope = (change: object = {}) =>
  chargeRequestedEnvelope(
    {
      event_id: 'e-1',
      user_id: 'alice',
      source: 'tts',
      amount: 3,
      pricing: { mode: 'tokens', model: 'm', provider: 'p', usage: { input_tokens: 1 } },
      ...change,
    },
    new Date('2026-11-28T10:00:00Z'),
    'req-1',
  );

describe('chargeMessageProblems', () => {
  it('accepts an ordinary charge', () => {
    expect(chargeMessageProblems(envelope())).toEqual([]);
  });

  it("names the request's own field for what the consumer refuses", () => {
    const pricing = { mode: 'tokens', provider: 'p'.repeat(65), model: 'a\u0000b', usage: {} };
    const problems = chargeMessageProblems(envelope({ pricing }));
    // Unstorable text is refused by the rule every entry point applies first, on its own.
    expect(problems).toEqual(['model: must not hold a NUL character or a lone surrogate']);
    expect(chargeMessageProblems(envelope({ pricing: { ...pricing, model: 'm' } }))).toEqual([
      expect.stringMatching(/^provider must be shorter than or equal to 64/),
    ]);
    expect(chargeMessageProblems(envelope({ description: 'd'.repeat(501) }))).toEqual([
      expect.stringMatching(/^description/),
    ]);
  });

  it('counts the message as the relay sends it: jsonb writes numbers in full', () => {
    // 6 characters each in JSON, 301 digits each once stored as jsonb and read back as text.
    const numbers = Array.from({ length: 4_000 }, () => 1e300);
    expect(JSON.stringify(numbers).length).toBeLessThan(MAX_MESSAGE_BYTES / 20);
    expect(chargeMessageProblems(envelope({ metadata: { numbers } }))).toEqual([
      expect.stringMatching(/^metadata: makes the charge a message of about \d+ bytes/),
    ]);
    expect(
      chargeMessageProblems(envelope({ metadata: { numbers: numbers.slice(0, 2_000) } })),
    ).toEqual([]);
  });
});
