import { messageFromChatCompletion } from './chat-completion-to-message';

describe('messageFromChatCompletion', () => {
  it('maps the content, the finish reason and the usage (cached tokens apart from input)', () => {
    expect(
      messageFromChatCompletion({
        id: 'chatcmpl-1',
        model: 'gpt-x',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop' },
        ],
        usage: {
          prompt_tokens: 30,
          completion_tokens: 20,
          prompt_tokens_details: { cached_tokens: 10 },
        },
      }),
    ).toEqual({
      id: 'chatcmpl-1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-x',
      content: [{ type: 'text', text: 'Hi!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: 20,
        output_tokens: 20,
        cache_read_input_tokens: 10,
        cache_creation_input_tokens: 0,
      },
    });
  });

  it('maps tool calls to tool_use blocks (arguments parsed) and tool_calls to tool_use', () => {
    const message = messageFromChatCompletion({
      choices: [
        {
          message: {
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'weather', arguments: '{"city":"Paris"}' },
              },
              {
                id: 'call_2',
                type: 'function',
                function: { name: 'clock', arguments: 'not json' },
              },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
    });
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'clock', input: {} },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it.each([
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
    ['function_call', 'tool_use'],
  ])('maps finish_reason %s to stop_reason %s', (finish, stop) => {
    expect(messageFromChatCompletion({ choices: [{ finish_reason: finish }] }).stop_reason).toBe(
      stop,
    );
  });

  it('keeps a refusal as the text', () => {
    const message = messageFromChatCompletion({
      choices: [{ message: { content: null, refusal: 'No.' }, finish_reason: 'stop' }],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'No.' }]);
  });
});
