import { deltaText, producedResponseText, reportedResponseUsage } from './responses-usage';

describe('reportedResponseUsage', () => {
  it('reads input, cached, output and reasoning tokens in the ledger’s (OpenAI’s) terms', () => {
    expect(
      reportedResponseUsage({
        input_tokens: 30,
        input_tokens_details: { cached_tokens: 10 },
        output_tokens: 28,
        output_tokens_details: { reasoning_tokens: 8 },
        total_tokens: 58,
      }),
    ).toEqual({ input_tokens: 30, cached_tokens: 10, output_tokens: 28, reasoning_tokens: 8 });
  });

  it('leaves zero details out, bounds parts by their wholes, and refuses what is not a usage', () => {
    expect(
      reportedResponseUsage({
        input_tokens: 3,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 2,
        output_tokens_details: { reasoning_tokens: 9 },
      }),
    ).toEqual({ input_tokens: 3, output_tokens: 2, reasoning_tokens: 2 });
    expect(reportedResponseUsage(null)).toBeUndefined();
    expect(reportedResponseUsage({ input_tokens: 3 })).toBeUndefined();
    expect(reportedResponseUsage({ input_tokens: -1, output_tokens: 2 })).toBeUndefined();
  });
});

describe('producedResponseText', () => {
  it('reads messages, refusals, tool calls and shown reasoning of the output items', () => {
    expect(
      producedResponseText({
        output: [
          { type: 'reasoning', summary: [{ type: 'summary_text', text: 'hm' }] },
          {
            type: 'message',
            content: [
              { type: 'output_text', text: 'Hi' },
              { type: 'refusal', refusal: 'no' },
            ],
          },
          { type: 'function_call', name: 'f', arguments: '{}' },
          { type: 'custom_tool_call', name: 'g', input: 'x' },
          null,
        ],
      }),
    ).toBe('hmHinof{}gx');
    expect(producedResponseText({})).toBe('');
  });
});

describe('deltaText', () => {
  it('counts every *.delta event’s piece, and nothing else', () => {
    expect(deltaText({ type: 'response.output_text.delta', delta: 'ab' })).toBe('ab');
    expect(deltaText({ type: 'response.function_call_arguments.delta', delta: '{' })).toBe('{');
    expect(deltaText({ type: 'response.output_text.done', delta: 'ab' })).toBe('');
    expect(deltaText({ type: 'response.audio.delta', delta: 7 })).toBe('');
  });
});
