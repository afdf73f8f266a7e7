import { DomainError } from '@tally/platform';
import { messagesRequestFromChat } from './chat-request-to-messages';

const refusal = (body: Record<string, unknown>) => {
  try {
    messagesRequestFromChat(
      { model: 'claude-x', messages: [{ role: 'user', content: 'hi' }], ...body },
      100,
    );
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).message;
  }
  throw new Error('translated');
};

describe('messagesRequestFromChat', () => {
  it('maps the system prompt, turns, tools, tool calls and their results', () => {
    const body = {
      model: 'claude-x',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: [{ type: 'text', text: 'Use tools.' }] },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
        { role: 'user', content: 'Thanks' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'weather',
            description: 'The weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
      max_completion_tokens: 100,
      user: 'u-1',
    };
    expect(messagesRequestFromChat(body, 100)).toEqual({
      model: 'claude-x',
      max_tokens: 100,
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Use tools.' },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } }],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'call_1',
              content: [{ type: 'text', text: '18°C' }],
            },
            { type: 'text', text: 'Thanks' },
          ],
        },
      ],
      tools: [
        {
          name: 'weather',
          description: 'The weather',
          input_schema: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
      metadata: { user_id: 'u-1' },
    });
  });

  it('maps images by URL and by base64 data URL', () => {
    const translated = messagesRequestFromChat(
      {
        model: 'c',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare' },
              { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0K' } },
            ],
          },
        ],
      },
      10,
    );
    expect((translated.messages as { content: unknown[] }[])[0].content).toEqual([
      { type: 'text', text: 'Compare' },
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0K' } },
    ]);
  });

  it('maps stop, temperature, top_p, stream and the tool choices', () => {
    const base = { model: 'c', messages: [{ role: 'user', content: 'x' }] };
    expect(
      messagesRequestFromChat(
        { ...base, stop: 'END', temperature: 0.5, top_p: 0.9, stream: true },
        7,
      ),
    ).toMatchObject({
      stop_sequences: ['END'],
      temperature: 0.5,
      top_p: 0.9,
      stream: true,
      max_tokens: 7,
    });
    expect(messagesRequestFromChat({ ...base, stop: ['a', 'b'] }, 7).stop_sequences).toEqual([
      'a',
      'b',
    ]);
    const choice = (tool_choice: unknown) =>
      messagesRequestFromChat({ ...base, tools: [], tool_choice }, 7).tool_choice;
    expect(choice('none')).toEqual({ type: 'none' });
    expect(choice('auto')).toEqual({ type: 'auto' });
    expect(choice({ type: 'function', function: { name: 'f' } })).toEqual({
      type: 'tool',
      name: 'f',
    });
    // Neutral values of what does not translate are accepted.
    expect(() =>
      messagesRequestFromChat(
        { ...base, n: 1, logprobs: false, response_format: { type: 'text' }, seed: null },
        7,
      ),
    ).not.toThrow();
  });

  it.each([
    [{ n: 2 }, 'n:'],
    [{ logprobs: true }, 'logprobs:'],
    [{ top_logprobs: 2 }, 'top_logprobs:'],
    [{ response_format: { type: 'json_schema', json_schema: {} } }, 'response_format:'],
    [{ seed: 4 }, 'seed:'],
    [{ presence_penalty: 0.5 }, 'presence_penalty:'],
    [{ logit_bias: { 1: 2 } }, 'logit_bias:'],
    [{ frequency_penalty: 0.1 }, 'frequency_penalty:'],
    [{ store: true }, 'store:'],
    [{ reasoning_effort: 'high' }, 'reasoning_effort:'],
    [{ temperature: 1.5 }, 'temperature:'],
    [{ tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools[0]:'],
    [{ messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role:'],
    [
      { messages: [{ role: 'user', content: [{ type: 'file', file: {} }] }] },
      'messages[0].content[0]:',
    ],
    [
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'image_url', image_url: { url: 'data:image/png,xx' } }],
          },
        ],
      },
      'messages[0].content[0].image_url.url:',
    ],
    [
      {
        messages: [
          {
            role: 'assistant',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '[1]' } }],
          },
        ],
      },
      'messages[0].tool_calls[0].function.arguments:',
    ],
  ])('refuses %j naming the field', (body, field) => {
    const message = refusal(body);
    expect(message.startsWith(field)).toBe(true);
    expect(message).toContain('cannot be translated to the Anthropic API');
  });
});
