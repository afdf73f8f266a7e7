import { chatCompletionFromMessage } from './message-to-chat-completion';

describe('chatCompletionFromMessage', () => {
  const usage = {
    input_tokens: 20,
    cache_read_input_tokens: 40,
    cache_creation_input_tokens: 10,
    output_tokens: 30,
  };

  it('maps text, the stop reason and the usage with its cache reads and writes', () => {
    const completion = chatCompletionFromMessage({
      id: 'msg_1',
      type: 'message',
      model: 'claude-x',
      content: [
        { type: 'text', text: 'Hello, ' },
        { type: 'text', text: 'ledger!' },
      ],
      stop_reason: 'end_turn',
      usage,
    });
    expect(completion).toMatchObject({
      id: 'msg_1',
      object: 'chat.completion',
      model: 'claude-x',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello, ledger!' },
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 70,
        completion_tokens: 30,
        total_tokens: 100,
        prompt_tokens_details: { cached_tokens: 40, cache_write_tokens: 10 },
      },
    });
    expect(completion.choices[0].message).not.toHaveProperty('tool_calls');
  });

  it('maps tool_use blocks to tool calls (content null) and tool_use to tool_calls', () => {
    const completion = chatCompletionFromMessage({
      id: 'msg_2',
      content: [
        { type: 'thinking', thinking: 'hidden' },
        { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 5, output_tokens: 6 },
    });
    expect(completion.choices[0]).toMatchObject({
      message: {
        content: null,
        tool_calls: [
          {
            id: 'toolu_1',
            type: 'function',
            function: { name: 'weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      finish_reason: 'tool_calls',
    });
  });

  it.each([
    ['max_tokens', 'length'],
    ['stop_sequence', 'stop'],
    ['refusal', 'content_filter'],
    ['model_context_window_exceeded', 'length'],
  ])('maps stop_reason %s to finish_reason %s', (stop, finish) => {
    expect(
      chatCompletionFromMessage({ content: [], stop_reason: stop }).choices[0].finish_reason,
    ).toBe(finish);
  });
});
