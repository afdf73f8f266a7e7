import { DomainError } from '@tally/platform';
import { readCountTokensRequest, readMessagesRequest } from './messages-request';

describe('readMessagesRequest', () => {
  const messages = [{ role: 'user', content: 'Hello there, how are you today?' }];

  it('reads model, stream and max_tokens, keeping the body as given', () => {
    const body = { model: 'claude', messages, max_tokens: 50, stream: true, system: 'terse' };
    const request = readMessagesRequest(body, {});
    expect(request).toMatchObject({ model: 'claude', stream: true, maxTokens: 50 });
    expect(request.body).toBe(body);
    expect(request.promptTokens).toBe(
      Math.ceil(Buffer.byteLength(JSON.stringify(['terse', messages, null])) / 4),
    );
  });

  it.each([
    [[], 'body must be a JSON object'],
    [{ messages, max_tokens: 1 }, 'model:'],
    [{ model: 'm', messages: [], max_tokens: 1 }, 'messages:'],
    [{ model: 'm', messages }, 'max_tokens:'],
    [{ model: 'm', messages, max_tokens: 1.5 }, 'max_tokens:'],
    [{ model: 'm', messages, max_tokens: 1, stream: 1 }, 'stream:'],
  ])('refuses %j with a reason naming the field', (body, reason) => {
    expect(() => readMessagesRequest(body, {})).toThrow(DomainError);
    expect(() => readMessagesRequest(body, {})).toThrow(reason);
  });

  it('notices a cache_control asking for the 1-hour cache, wherever it is', () => {
    const hour = { type: 'ephemeral', ttl: '1h' };
    const minutes = { type: 'ephemeral' };
    const ask = (extra: Record<string, unknown>) =>
      readMessagesRequest({ model: 'm', messages, max_tokens: 1, ...extra }, {}).hourCacheWrites;
    expect(ask({})).toBe(false);
    expect(ask({ system: [{ type: 'text', text: 's', cache_control: minutes }] })).toBe(false);
    expect(ask({ system: [{ type: 'text', text: 's', cache_control: hour }] })).toBe(true);
    expect(
      ask({
        messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: hour }] }],
      }),
    ).toBe(true);
    expect(ask({ tools: [{ name: 'f', input_schema: {}, cache_control: hour }] })).toBe(true);
    expect(ask({ cache_control: hour })).toBe(true);
  });

  it('needs no max_tokens to count tokens', () => {
    expect(readCountTokensRequest({ model: 'm', messages }, {}).model).toBe('m');
    expect(() => readCountTokensRequest({ model: 'm' }, {})).toThrow('messages:');
  });

  it.each([
    [
      { tools: [{ type: 'web_search_20250305', name: 'web_search' }] },
      'tools[0].type: web_search_20250305',
    ],
    [
      { tools: [{ name: 'a' }, { type: 'code_execution_20250522' }] },
      'tools[1].type: code_execution_20250522',
    ],
    [{ tools: [{ type: 'bash_code_execution' }] }, 'tools[0].type: bash_code_execution'],
    [{ tools: [{ type: null }] }, 'tools[0].type: null'],
    [{ tools: { name: 'a' } }, 'tools: must be a list'],
    [{ tools: [null] }, 'tools[0]: must be an object'],
    [{ mcp_servers: [] }, 'mcp_servers: not supported'],
    [{ container: 'c' }, 'container: not supported'],
  ])('refuses %j (billed beyond tokens) on both routes', (fields, reason) => {
    const body = { model: 'm', messages, max_tokens: 1, ...fields };
    expect(() => readMessagesRequest(body, {})).toThrow(reason);
    expect(() => readCountTokensRequest(body, {})).toThrow(reason);
  });

  it('passes client tools: no type, custom, bash, text_editor, computer, memory', () => {
    const tools = [
      { name: 'a' },
      { type: 'custom', name: 'b' },
      { type: 'bash_20250124' },
      { type: 'text_editor_20250728' },
      { type: 'computer_20251124' },
      { type: 'memory_20250818' },
    ];
    expect(readMessagesRequest({ model: 'm', messages, max_tokens: 1, tools }, {}).body.tools).toBe(
      tools,
    );
  });

  it('forwards the version (default 2023-06-01) and only the betas it meters', () => {
    const body = { model: 'm', messages, max_tokens: 1 };
    expect(readMessagesRequest(body, {}).headers).toEqual({ 'anthropic-version': '2023-06-01' });
    expect(
      readMessagesRequest(body, {
        'anthropic-version': '2024-01-01',
        'anthropic-beta':
          ' prompt-caching-2024-07-31 ,,computer-use-2025-01-24,extended-cache-ttl-2025-04-11',
      }).headers,
    ).toEqual({
      'anthropic-version': '2024-01-01',
      'anthropic-beta':
        'prompt-caching-2024-07-31,computer-use-2025-01-24,extended-cache-ttl-2025-04-11',
    });
    for (const beta of ['code-execution-2025-05-22', 'files-api-2025-04-14', 'whatever']) {
      expect(() => readMessagesRequest(body, { 'anthropic-beta': beta })).toThrow(
        `anthropic-beta: ${beta} is not supported`,
      );
      expect(() => readCountTokensRequest(body, { 'anthropic-beta': beta })).toThrow(
        'anthropic-beta:',
      );
    }
  });
});
