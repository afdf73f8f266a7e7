import { DomainError } from '@tally/platform';
import { chatRequestFromMessages } from './messages-request-to-chat';

const refusal = (body: Record<string, unknown>) => {
  try {
    chatRequestFromMessages({
      model: 'gpt-x',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
      ...body,
    });
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return (error as DomainError).message;
  }
  throw new Error('translated');
};

describe('chatRequestFromMessages', () => {
  it('maps the system prompt, turns, tools, tool uses and their results', () => {
    const body = {
      model: 'gpt-x',
      max_tokens: 200,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hm', signature: 's' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
            { type: 'text', text: 'Thanks' },
          ],
        },
      ],
      tools: [{ name: 'weather', description: 'The weather', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'weather', disable_parallel_tool_use: true },
      metadata: { user_id: 'u-1' },
    };
    expect(chatRequestFromMessages(body)).toEqual({
      model: 'gpt-x',
      max_completion_tokens: 200,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: 'Checking.',
          tool_calls: [
            {
              id: 'toolu_1',
              type: 'function',
              function: { name: 'weather', arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
        { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'weather', description: 'The weather', parameters: { type: 'object' } },
        },
      ],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      parallel_tool_calls: false,
      user: 'u-1',
    });
  });

  it('maps images, stop sequences, sampling, tool choices and a stream (asking for usage)', () => {
    const translated = chatRequestFromMessages({
      model: 'g',
      max_tokens: 5,
      system: 'Plain.',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4A' } },
          ],
        },
      ],
      stop_sequences: ['END'],
      temperature: 0.3,
      top_p: 0.8,
      stream: true,
    });
    expect(translated).toMatchObject({
      messages: [
        { role: 'system', content: 'Plain.' },
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4A' } },
          ],
        },
      ],
      stop: ['END'],
      temperature: 0.3,
      top_p: 0.8,
      stream: true,
      stream_options: { include_usage: true },
    });
    const choice = (tool_choice: unknown) =>
      chatRequestFromMessages({ model: 'g', max_tokens: 5, messages: [], tool_choice });
    expect(choice({ type: 'auto' })).toMatchObject({ tool_choice: 'auto' });
    expect(choice({ type: 'any' })).toMatchObject({ tool_choice: 'required' });
    expect(choice({ type: 'none' })).toMatchObject({ tool_choice: 'none' });
  });

  it('accepts the neutral values of what does not translate', () => {
    expect(() =>
      chatRequestFromMessages({
        model: 'g',
        max_tokens: 5,
        messages: [],
        thinking: { type: 'disabled' },
        service_tier: 'auto',
      }),
    ).not.toThrow();
  });

  it.each([
    [{ thinking: { type: 'enabled', budget_tokens: 1024 } }, 'thinking:'],
    [{ service_tier: 'standard_only' }, 'service_tier:'],
    [{ top_k: 5 }, 'top_k:'],
    [{ stop_sequences: ['a', 'b', 'c', 'd', 'e'] }, 'stop_sequences:'],
    [{ metadata: { user_id: 'u', other: 1 } }, 'metadata.other:'],
    [{ tools: [{ type: 'bash_20250124', name: 'bash' }] }, 'tools[0]:'],
    [{ tool_choice: { type: 'sometimes' } }, 'tool_choice.type:'],
    [
      { messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] },
      'messages[0].content[0]:',
    ],
    [
      {
        messages: [
          { role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] },
        ],
      },
      'messages[0].content[0].source:',
    ],
    [
      {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: {} }] },
            ],
          },
        ],
      },
      'messages[0].content[0].content[0]:',
    ],
    [{ system: [{ type: 'text', text: 'x', citations: [{}] }] }, 'system[0].citations:'],
  ])('refuses %j naming the field', (body, field) => {
    const message = refusal(body);
    expect(message.startsWith(field)).toBe(true);
    expect(message).toContain('cannot be translated to the OpenAI API');
  });
});
