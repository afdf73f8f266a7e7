import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { DataSource } from 'typeorm';
import {
  anthropicUpstreams,
  CACHED_CLAUDE,
  CACHED_CLAUDE_PRICES,
} from './support/anthropic-fixtures';
import { ChatStack } from './support/chat-stack';
import { unique } from './support/wait';

const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Search the web for me.' }];
const chatMessages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'user', content: 'Search the web for me.' },
];
const PRICES = { input: '100000', output: '200000' };
const inputSchema = { type: 'object' as const, properties: {} };

/**
 * Server tools, MCP servers and betas the upstream bills per use (or at prices the gateway does not
 * know) beyond the tokens it reports: refused before anything is reserved or sent, on every surface.
 */
describe('billed features the gateway cannot meter are refused, not served free', () => {
  const stack = new ChatStack();
  let db: DataSource;
  let claude: string;
  let gpt: string;

  beforeAll(async () => {
    await stack.start((upstreamUrl) => ({
      UPSTREAMS: JSON.stringify([
        ...(JSON.parse(anthropicUpstreams(upstreamUrl)) as object[]),
        {
          provider: 'openai',
          base_url: upstreamUrl,
          api_key: 'upstream-secret',
          models: ['gpt-*'],
        },
      ]),
    }));
    db = stack.gateway.app.get(DataSource);
    claude = await stack.addModel(CACHED_CLAUDE, CACHED_CLAUDE_PRICES, unique('claude'));
    gpt = await stack.addModel(
      { chunks: ['Hi'], usage: { prompt_tokens: 10, completion_tokens: 5 } },
      PRICES,
      unique('gpt'),
    );
  });
  afterAll(() => stack.stop());

  async function keyed(): Promise<{ user: string; key: string }> {
    const user = await stack.fundedUser(1000);
    return { user, key: (await stack.newKey(user)).key };
  }
  const anthropicClient = (key: string) =>
    new Anthropic({ apiKey: key, baseURL: stack.gateway.url, maxRetries: 0 });

  /** Nothing reached the upstream, nothing was charged, nothing is still reserved. */
  async function expectNothingDone(user: string, upstreamCallsBefore: number) {
    expect(stack.upstream.received.length).toBe(upstreamCallsBefore);
    expect(await db.query(`SELECT amount FROM charges WHERE user_id = $1`, [user])).toEqual([]);
    expect(
      await db.query(`SELECT id FROM reservations WHERE user_id = $1 AND expires_at > now()`, [
        user,
      ]),
    ).toEqual([]);
    expect(await stack.ledgerCharges(user)).toEqual([]);
  }

  const refusal = (error: unknown) => error as { status?: number; type?: string; message: string };

  describe('POST /v1/messages (Anthropic)', () => {
    const refusedBodies: [string, Record<string, unknown>, string][] = [
      [
        'web search',
        { tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 50 }] },
        'tools[0].type: web_search_20250305',
      ],
      [
        'web fetch',
        { tools: [{ type: 'web_fetch_20250910', name: 'web_fetch' }] },
        'tools[0].type: web_fetch_20250910',
      ],
      [
        'code execution (2025-05-22)',
        { tools: [{ type: 'code_execution_20250522', name: 'code_execution' }] },
        'tools[0].type: code_execution_20250522',
      ],
      [
        'code execution (2025-08-25), after a client tool',
        {
          tools: [
            { name: 'lookup', input_schema: inputSchema },
            { type: 'code_execution_20250825', name: 'code_execution' },
          ],
        },
        'tools[1].type: code_execution_20250825',
      ],
      [
        'an MCP toolset',
        { tools: [{ type: 'mcp_toolset', mcp_server_name: 'x' }] },
        'tools[0].type',
      ],
      [
        'tool search',
        { tools: [{ type: 'tool_search_tool_regex_20251119', name: 'tool_search' }] },
        'tools[0].type',
      ],
      ['a tool that is not an object', { tools: ['web_search'] }, 'tools[0]: must be an object'],
      [
        'MCP servers',
        { mcp_servers: [{ type: 'url', url: 'https://caller.example/mcp', name: 'theirs' }] },
        'mcp_servers: not supported',
      ],
      ['a container', { container: 'container_011' }, 'container: not supported'],
    ];

    it.each(refusedBodies)(
      'refuses %s with a 400 naming the field, JSON or stream, doing nothing',
      async (_, fields, reason) => {
        const { user, key } = await keyed();
        const anthropic = anthropicClient(key);
        const before = stack.upstream.received.length;
        for (const stream of [false, true]) {
          const failure = await anthropic.messages
            .create({
              model: claude,
              max_tokens: 100,
              messages,
              stream,
              ...fields,
            } as unknown as Anthropic.MessageCreateParamsNonStreaming)
            .then(() => undefined, refusal);
          expect(failure).toBeInstanceOf(Anthropic.BadRequestError);
          expect(failure).toMatchObject({ status: 400, type: 'invalid_request_error' });
          expect(failure?.message).toContain(reason);
        }
        // count_tokens reads the same request: the same refusal (an MCP server would be called).
        const counted = await anthropic.messages
          .countTokens({ model: claude, messages, ...fields })
          .then(() => undefined, refusal);
        expect(counted).toMatchObject({ status: 400 });
        expect(counted?.message).toContain(reason);
        await expectNothingDone(user, before);
      },
    );

    it.each([
      'code-execution-2025-05-22',
      'mcp-client-2025-04-04',
      'files-api-2025-04-14',
      'web-fetch-2025-09-10',
      'context-1m-2025-08-07',
      'prompt-caching-2024-07-31, mcp-client-2025-11-20',
    ])('refuses the anthropic-beta %s with a 400 naming the header', async (beta) => {
      const { user, key } = await keyed();
      const before = stack.upstream.received.length;
      const failure = await anthropicClient(key)
        .messages.create(
          { model: claude, max_tokens: 100, messages },
          { headers: { 'anthropic-beta': beta } },
        )
        .then(() => undefined, refusal);
      expect(failure).toMatchObject({ status: 400, type: 'invalid_request_error' });
      expect(failure?.message).toContain('anthropic-beta:');
      expect(failure?.message).toContain(beta.split(', ').at(-1));
      await expectNothingDone(user, before);
    });

    it('serves client tools (the caller runs them, billed as tokens) and passes the betas it meters', async () => {
      const { user, key } = await keyed();
      const tools = [
        { name: 'lookup', input_schema: inputSchema },
        { type: 'custom', name: 'lookup2', input_schema: inputSchema },
        { type: 'bash_20250124', name: 'bash' },
        { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' },
        {
          type: 'computer_20250124',
          name: 'computer',
          display_width_px: 800,
          display_height_px: 600,
        },
        { type: 'memory_20250818', name: 'memory' },
      ];
      // The 1-hour cache's writes are priced apart (cache_write_1h_per_million).
      const betas =
        'computer-use-2025-01-24, interleaved-thinking-2025-05-14, extended-cache-ttl-2025-04-11';
      const message = await anthropicClient(key).messages.create(
        {
          model: claude,
          max_tokens: 100,
          messages,
          tools,
        } as Anthropic.MessageCreateParamsNonStreaming,
        { headers: { 'anthropic-beta': betas } },
      );
      expect(message.content).toEqual([{ type: 'text', text: 'Hello, ledger!' }]);
      expect(stack.upstream.received.at(-1)).toMatchObject({
        path: '/v1/messages',
        anthropicBeta:
          'computer-use-2025-01-24,interleaved-thinking-2025-05-14,extended-cache-ttl-2025-04-11',
        body: { tools },
      });
      expect(await db.query(`SELECT amount FROM charges WHERE user_id = $1`, [user])).toHaveLength(
        1,
      );
    });
  });

  describe('POST /v1/chat/completions (OpenAI)', () => {
    const refusedBodies: [string, Record<string, unknown>, string][] = [
      ['web_search_options', { web_search_options: {} }, 'web_search_options: not supported'],
      [
        'a hosted web search tool',
        { tools: [{ type: 'web_search' }] },
        'tools[0].type: web_search',
      ],
      [
        "Anthropic's code execution tool",
        { tools: [{ type: 'code_execution_20250522', name: 'code_execution' }] },
        'tools[0].type: code_execution_20250522',
      ],
      [
        'MCP servers',
        { mcp_servers: [{ type: 'url', url: 'https://caller.example/mcp', name: 'theirs' }] },
        'mcp_servers: not supported',
      ],
    ];

    it.each(refusedBodies)(
      'refuses %s with a 400 naming the field, JSON or stream, doing nothing',
      async (_, fields, reason) => {
        const { user, key } = await keyed();
        const client = stack.client(key);
        const before = stack.upstream.received.length;
        for (const stream of [false, true]) {
          const failure = await client.chat.completions
            .create({
              model: gpt,
              messages: chatMessages,
              stream,
              ...fields,
            } as OpenAI.ChatCompletionCreateParamsNonStreaming)
            .then(() => undefined, refusal);
          expect(failure).toMatchObject({ status: 400, type: 'invalid_request_error' });
          expect(failure?.message).toContain(reason);
        }
        await expectNothingDone(user, before);
      },
    );

    it('serves function tools', async () => {
      const { user, key } = await keyed();
      const tools: OpenAI.ChatCompletionTool[] = [
        { type: 'function', function: { name: 'lookup', parameters: inputSchema } },
      ];
      const answer = await stack
        .client(key)
        .chat.completions.create({ model: gpt, messages: chatMessages, tools });
      expect(answer.choices[0].message.content).toBe('Hi');
      expect(stack.upstream.received.at(-1)?.body).toMatchObject({ tools });
      expect(await db.query(`SELECT amount FROM charges WHERE user_id = $1`, [user])).toHaveLength(
        1,
      );
    });
  });
});
