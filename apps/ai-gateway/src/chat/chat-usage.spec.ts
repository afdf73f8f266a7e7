import { producedText, reportedUsage } from './chat-usage';

describe('chat usage', () => {
  it('maps OpenAI usage to the ledger terms, details included', () => {
    expect(
      reportedUsage({
        prompt_tokens: 100,
        completion_tokens: 40,
        prompt_tokens_details: { cached_tokens: 30 },
        completion_tokens_details: { reasoning_tokens: 10 },
      }),
    ).toEqual({ input_tokens: 100, output_tokens: 40, cached_tokens: 30, reasoning_tokens: 10 });
    expect(reportedUsage({ prompt_tokens: 5, completion_tokens: 0 })).toEqual({
      input_tokens: 5,
      output_tokens: 0,
    });
  });

  it('has no usage for a missing or malformed report', () => {
    expect(reportedUsage(undefined)).toBeUndefined();
    expect(reportedUsage(null)).toBeUndefined();
    expect(reportedUsage({ prompt_tokens: -1, completion_tokens: 2 })).toBeUndefined();
    expect(reportedUsage({ prompt_tokens: '3', completion_tokens: 2 })).toBeUndefined();
  });

  it('collects what a completion or a chunk produced: content, refusals and tool calls', () => {
    expect(
      producedText({ choices: [{ message: { content: 'Hi' } }, { message: { content: '!' } }] }),
    ).toBe('Hi!');
    expect(
      producedText({
        choices: [{ delta: { tool_calls: [{ function: { name: 'f', arguments: '{"x":1}' } }] } }],
      }),
    ).toBe('f{"x":1}');
    expect(producedText({ choices: [{ delta: { refusal: 'no' } }] })).toBe('no');
    // Reasoning that an upstream shows, under either name.
    expect(
      producedText({
        choices: [{ delta: { reasoning_content: 'hmm' } }, { delta: { reasoning: 'so' } }],
      }),
    ).toBe('hmmso');
    expect(producedText({ choices: [] })).toBe('');
    expect(producedText(null)).toBe('');
  });
});
