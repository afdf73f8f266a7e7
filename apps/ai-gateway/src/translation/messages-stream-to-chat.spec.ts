import { MessagesStreamToChat } from './messages-stream-to-chat';

const ev = (type: string, fields: Record<string, unknown> = {}) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}`;
const data = (event: string): unknown =>
  event === 'data: [DONE]' ? '[DONE]' : JSON.parse(event.slice('data: '.length));

/** Anthropic's documented sequence: text, then a tool call, then the end. */
const STREAM = [
  ev('message_start', {
    message: {
      id: 'msg_1',
      model: 'claude-x',
      content: [],
      usage: {
        input_tokens: 20,
        cache_read_input_tokens: 40,
        cache_creation_input_tokens: 10,
        output_tokens: 1,
      },
    },
  }),
  ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
  ev('ping'),
  ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Checking' } }),
  ev('content_block_stop', { index: 0 }),
  ev('content_block_start', {
    index: 1,
    content_block: { type: 'tool_use', id: 'toolu_1', name: 'weather', input: {} },
  }),
  ev('content_block_delta', {
    index: 1,
    delta: { type: 'input_json_delta', partial_json: '{"city":' },
  }),
  ev('content_block_delta', {
    index: 1,
    delta: { type: 'input_json_delta', partial_json: '"Paris"}' },
  }),
  ev('content_block_stop', { index: 1 }),
  ev('message_delta', {
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { output_tokens: 30 },
  }),
  ev('message_stop'),
];

describe('MessagesStreamToChat', () => {
  it('turns Anthropic’s events into chat chunks, the usage chunk when asked, then [DONE]', () => {
    const translator = new MessagesStreamToChat(true);
    const out = STREAM.flatMap((e) => translator.translate(e)).map(data);
    expect(out).toEqual([
      expect.objectContaining({
        id: 'msg_1',
        object: 'chat.completion.chunk',
        model: 'claude-x',
        usage: null,
        choices: [
          {
            index: 0,
            delta: { role: 'assistant', content: '' },
            logprobs: null,
            finish_reason: null,
          },
        ],
      }),
      expect.objectContaining({
        choices: [expect.objectContaining({ delta: { content: 'Checking' } })],
      }),
      expect.objectContaining({
        choices: [
          expect.objectContaining({
            delta: {
              tool_calls: [
                {
                  index: 0,
                  id: 'toolu_1',
                  type: 'function',
                  function: { name: 'weather', arguments: '' },
                },
              ],
            },
          }),
        ],
      }),
      expect.objectContaining({
        choices: [
          expect.objectContaining({
            delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
          }),
        ],
      }),
      expect.objectContaining({
        choices: [
          expect.objectContaining({
            delta: { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
          }),
        ],
      }),
      expect.objectContaining({
        choices: [expect.objectContaining({ delta: {}, finish_reason: 'tool_calls' })],
      }),
      expect.objectContaining({
        choices: [],
        usage: {
          prompt_tokens: 70,
          completion_tokens: 30,
          total_tokens: 100,
          prompt_tokens_details: { cached_tokens: 40, cache_write_tokens: 10 },
        },
      }),
      '[DONE]',
    ]);
  });

  it('sends no usage chunk (and no usage fields) unless the client asked', () => {
    const translator = new MessagesStreamToChat(false);
    const out = STREAM.flatMap((e) => translator.translate(e)).map(data);
    expect(out).toHaveLength(7);
    expect(out.some((c) => typeof c === 'object' && c !== null && 'usage' in c)).toBe(false);
  });

  it('turns an error event into an OpenAI error chunk', () => {
    const translator = new MessagesStreamToChat(false);
    expect(
      translator.translate(
        ev('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }),
      ),
    ).toEqual([
      'data: {"error":{"message":"Overloaded","type":"server_error","param":null,"code":"overloaded_error"}}',
    ]);
  });
});
