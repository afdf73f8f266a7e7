import { ErrorCode, Topics } from '@tally/contracts';
import type { DeadLetter } from './dead-letter.publisher';
import { chargeNamedBy, deadLetteredFact } from './dead-lettered-fact';

const letter = (value: unknown, topic: string = Topics.chargeRequested): DeadLetter => ({
  message: {
    topic,
    partition: 0,
    offset: '7',
    key: null,
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: {},
  },
  code: ErrorCode.ValidationFailed,
  reasons: ['payload.amount must not be less than 0'],
});

describe('chargeNamedBy', () => {
  it('reads the event_id, payload.user_id and a whole amount of a charge or refund', () => {
    const charge = { event_id: 'evt-1', payload: { user_id: 'u-1', amount: 5 } };
    expect(chargeNamedBy(letter(charge))).toEqual({
      user_id: 'u-1',
      event_id: 'evt-1',
      amount: 5n,
    });
    const negative = { event_id: 'evt-1', payload: { user_id: 'u-1', amount: -5 } };
    expect(chargeNamedBy(letter(negative))).toEqual({ user_id: 'u-1', event_id: 'evt-1' });
  });

  it('names no one when the user or the event id cannot be read, or the topic is not charges', () => {
    for (const value of [
      'not json',
      'null',
      '5',
      { event_id: 'evt-1', payload: { user_id: 'bad user' } },
      { event_id: 'tally:x', payload: { user_id: 'u-1' } },
      { payload: { user_id: 'u-1' } },
      { event_id: 'evt-1', user_id: 'u-1' },
    ]) {
      expect(chargeNamedBy(letter(value))).toBeNull();
    }
    const charge = { event_id: 'evt-1', payload: { user_id: 'u-1' } };
    expect(chargeNamedBy(letter(charge, Topics.auditRecords))).toBeNull();
  });
});

describe('deadLetteredFact', () => {
  it('carries the code, the reason and the amount, keyed by the letter', () => {
    const fact = deadLetteredFact(
      { user_id: 'u-1', event_id: 'evt-1', amount: 5n },
      letter({}),
      '42',
    );
    expect(fact).toEqual({
      user_id: 'u-1',
      key: 'dead-letter:42',
      type: 'charge.dead_lettered',
      data: {
        event_id: 'evt-1',
        code: 'validation_failed',
        reason: 'payload.amount must not be less than 0',
        amount: 5,
      },
    });
  });
});
