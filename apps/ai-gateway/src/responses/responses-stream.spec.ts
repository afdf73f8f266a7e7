import { ErrorCode } from '@tally/contracts';
import { responsesStreamDialect } from './responses-stream';

const event = (type: string, fields: object) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}`;

describe('responsesStreamDialect', () => {
  it('passes events on, counts deltas, and holds the terminal event with its usage', () => {
    const dialect = responsesStreamDialect();
    expect(
      dialect.read(event('response.created', { sequence_number: 0, response: { id: 'r1' } })),
    ).toEqual({ outputBytes: 0, usage: undefined, upstreamId: 'r1', route: 'pass' });
    expect(
      dialect.read(event('response.output_text.delta', { sequence_number: 1, delta: 'héllo' })),
    ).toMatchObject({ outputBytes: 6, route: 'pass' });
    for (const type of ['response.completed', 'response.incomplete', 'response.failed']) {
      expect(
        dialect.read(
          event(type, {
            sequence_number: 2,
            response: { id: 'r1', usage: { input_tokens: 3, output_tokens: 1 } },
          }),
        ),
      ).toEqual({
        outputBytes: 0,
        usage: { input_tokens: 3, output_tokens: 1 },
        upstreamId: 'r1',
        route: 'end',
      });
    }
    expect(dialect.read(': keep-alive')).toEqual({ outputBytes: 0, route: 'pass' });
  });

  it('says an error as an `error` event numbered after the last one seen', () => {
    const dialect = responsesStreamDialect();
    dialect.read(event('response.output_text.delta', { sequence_number: 4, delta: 'x' }));
    const error = dialect.errorEvent(ErrorCode.InsufficientCredits, 'out of credits');
    expect(error).toMatch(/^event: error\ndata: .*\n\n$/);
    expect(JSON.parse(error.split('\n')[1].slice(6))).toEqual({
      type: 'error',
      code: 'insufficient_credits',
      message: 'out of credits',
      param: null,
      sequence_number: 5,
    });
  });
});
