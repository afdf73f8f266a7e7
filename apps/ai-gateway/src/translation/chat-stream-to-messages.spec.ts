import { ChatStreamToMessages } from './chat-stream-to-messages';

const chunk = (fields: Record<string, unknown>) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'gpt-x', ...fields })}`;
const choice = (delta: Record<string, unknown>, finish: string | null = null) =>
  chunk({ choices: [{ index: 0, delta, finish_reason: finish }], usage: null });

/** What an OpenAI stream with include_usage sends: text, a tool call, the end, the usage. */
const STREAM = [
  choice({ role: 'assistant', content: '' }),
  choice({ content: 'Checking' }),
  choice({
    tool_calls: [
      { index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: '' } },
    ],
  }),
  choice({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] }),
  choice({}, 'tool_calls'),
  chunk({
    choices: [],
    usage: {
      prompt_tokens: 30,
      completion_tokens: 20,
      prompt_tokens_details: { cached_tokens: 10 },
    },
  }),
  'data: [DONE]',
];

const parse = (event: string) => {
  const [head, body] = event.split('\n');
  return {
    event: head.slice('event: '.length),
    ...(JSON.parse(body.slice('data: '.length)) as object),
  };
};

describe('ChatStreamToMessages', () => {
  it('turns chat chunks into Anthropic’s event sequence, the usage into message_delta', () => {
    const translator = new ChatStreamToMessages();
    const out = STREAM.flatMap((e) => translator.translate(e)).map(parse);
    expect(out.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(out[0]).toMatchObject({
      type: 'message_start',
      message: {
        id: 'chatcmpl-1',
        type: 'message',
        role: 'assistant',
        model: 'gpt-x',
        content: [],
      },
    });
    expect(out[1]).toMatchObject({ index: 0, content_block: { type: 'text', text: '' } });
    expect(out[2]).toMatchObject({ index: 0, delta: { type: 'text_delta', text: 'Checking' } });
    expect(out[4]).toMatchObject({
      index: 1,
      content_block: { type: 'tool_use', id: 'call_1', name: 'weather', input: {} },
    });
    expect(out[5]).toMatchObject({
      index: 1,
      delta: { type: 'input_json_delta', partial_json: '{"city":"Paris"}' },
    });
    expect(out[7]).toEqual({
      event: 'message_delta',
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        input_tokens: 20,
        output_tokens: 20,
        cache_read_input_tokens: 10,
        cache_creation_input_tokens: 0,
      },
    });
  });

  it('ends the message at [DONE] even when no usage chunk came', () => {
    const translator = new ChatStreamToMessages();
    const out = [choice({ content: 'Hi' }), choice({}, 'length'), 'data: [DONE]']
      .flatMap((e) => translator.translate(e))
      .map(parse);
    expect(out.map((e) => e.event).slice(-3)).toEqual([
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(out.at(-2)).toMatchObject({ delta: { stop_reason: 'max_tokens' } });
  });

  it('turns an error chunk into Anthropic’s error event', () => {
    const translator = new ChatStreamToMessages();
    expect(
      translator.translate('data: {"error":{"message":"Overloaded","type":"server_error"}}'),
    ).toEqual([
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"Overloaded"}}',
    ]);
  });
});
