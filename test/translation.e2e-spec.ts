import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { FakeModel } from '../tools/fake-upstream/fake-upstream';
import { CACHED_CLAUDE, CACHED_CLAUDE_PRICES } from './support/anthropic-fixtures';
import { ChatStack } from './support/chat-stack';
import { call } from './support/http';
import { eventually, unique } from './support/wait';

// `ai` and its providers are ESM only: loaded with import() (see vercel-ai-sdk.e2e-spec.ts).
type Ai = typeof import('ai');
type OpenAiProvider = typeof import('@ai-sdk/openai');
type AnthropicProvider = typeof import('@ai-sdk/anthropic');

// OpenAI's usage: 30 input tokens of which 10 cached, 20 output of which 8 reasoning, at 0.1 /
// 0.05 / 0.2 / 0.3 credits a token: 20 × 0.1 + 10 × 0.05 + 12 × 0.2 + 8 × 0.3 = 7.3 → 8 credits.
const OPENAI_PRICES = { input: '100000', cached: '50000', output: '200000', reasoning: '300000' };
/** What the other provider's rule would charge: never the served call's price. */
const DECOY_PRICES = { input: '5000000', output: '5000000' };
const ONE_A_TOKEN = { input: '1000000', output: '1000000' };
const SLICE = 16;
const GPT: FakeModel = {
  chunks: ['Hello', ', ', 'ledger', '!'],
  usage: { prompt_tokens: 30, completion_tokens: 12 },
  cachedTokens: 10,
  reasoningTokens: 8,
};
const TOOL_CALL = { chunks: ['{"city":', '"Paris"}'], tool: 'weather' };
const RUNAWAY: FakeModel = { chunks: ['abcdefgh'], usage: null, endless: true, chunkDelayMs: 5 };

const WEATHER_OPENAI: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const WEATHER_ANTHROPIC: Anthropic.Tool = {
  name: 'weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const PNG = 'iVBORw0KGgo=';

describe('Translation between the OpenAI and Anthropic APIs, with the official SDKs', () => {
  const stack = new ChatStack();
  let lister: OpenAI;
  let claude: string;
  let claudeTool: string;
  let claudeRunaway: string;
  let claudeFailing: string;
  let claudeBroken: string;
  let gpt: string;
  let gptTool: string;
  let gptRunaway: string;
  let gptFailing: string;
  let gptBroken: string;

  beforeAll(async () => {
    await stack.start((url) => ({
      UPSTREAMS: JSON.stringify([
        {
          provider: 'anthropic',
          api: 'anthropic',
          base_url: url,
          api_key: 'anthropic-secret',
          models: ['claude-*'],
        },
        { provider: 'openai', base_url: url, api_key: 'openai-secret', models: ['gpt-*'] },
      ]),
      // No default upstream: each model is served by one API only.
      UPSTREAM_BASE_URL: '',
      STREAM_SLICE_TOKENS: String(SLICE),
    }));
    lister = stack.client((await stack.newKey(unique('lister'))).key);
    claude = await served('claude', CACHED_CLAUDE, 'anthropic', CACHED_CLAUDE_PRICES);
    claudeTool = await served(
      'claude',
      { ...CACHED_CLAUDE, ...TOOL_CALL },
      'anthropic',
      CACHED_CLAUDE_PRICES,
    );
    claudeRunaway = await served('claude', RUNAWAY, 'anthropic', ONE_A_TOKEN);
    claudeFailing = await served(
      'claude',
      { ...CACHED_CLAUDE, failWith: 429 },
      'anthropic',
      ONE_A_TOKEN,
    );
    claudeBroken = await served(
      'claude',
      { ...CACHED_CLAUDE, ending: 'error' },
      'anthropic',
      ONE_A_TOKEN,
    );
    gpt = await served('gpt', GPT, 'openai', OPENAI_PRICES);
    gptBroken = await served('gpt', { ...GPT, ending: 'error' }, 'openai', ONE_A_TOKEN);
    gptTool = await served('gpt', { ...GPT, ...TOOL_CALL }, 'openai', OPENAI_PRICES);
    gptRunaway = await served('gpt', RUNAWAY, 'openai', ONE_A_TOKEN);
    gptFailing = await served('gpt', { ...GPT, failWith: 429 }, 'openai', ONE_A_TOKEN);
  });
  afterAll(() => stack.stop());

  /**
   * A model of the fake, priced by a rule of the provider serving it and, dearer, by a rule of the
   * other provider (which must never price it).
   */
  async function served(
    prefix: string,
    fake: FakeModel,
    provider: 'anthropic' | 'openai',
    prices: {
      input: string;
      output: string;
      cached?: string;
      reasoning?: string;
      cacheWrite?: string;
    },
  ): Promise<string> {
    const model = unique(prefix);
    stack.upstream.models.set(model, fake);
    const other = provider === 'openai' ? 'anthropic' : 'openai';
    const rules: [string, typeof prices][] = [
      [provider, prices],
      [other, DECOY_PRICES],
    ];
    for (const [rule, p] of rules) {
      const { status } = await call('POST', `${stack.store.url}/admin/price-rules`, {
        body: {
          scene: 'chat',
          provider: rule,
          model,
          mode: 'tokens',
          input_per_million: p.input,
          output_per_million: p.output,
          cached_per_million: p.cached,
          reasoning_per_million: p.reasoning,
          cache_write_per_million: p.cacheWrite,
        },
      });
      expect(status).toBe(201);
    }
    await eventually(async () => {
      const { data } = await lister.models.list();
      expect(data.map((m) => m.id)).toContain(model);
    });
    return model;
  }

  async function user(credits = 1000) {
    const id = await stack.fundedUser(credits);
    const { key } = await stack.newKey(id);
    return {
      user: id,
      openai: stack.client(key),
      anthropic: new Anthropic({ apiKey: key, baseURL: stack.gateway.url, maxRetries: 0 }),
      key,
    };
  }

  const onlyCharge = (id: string) =>
    eventually(async () => {
      const charges = await stack.ledgerCharges(id);
      expect(charges).toHaveLength(1);
      return charges[0];
    });

  /** Claude's call (cache read 40, write 10) priced by the Anthropic rule: 10 credits. */
  async function expectClaudeCharge(id: string, stream: boolean) {
    const charge = await onlyCharge(id);
    expect(charge).toMatchObject({ amount: -10, balance_after: 990 });
    expect(charge.pricing).toMatchObject({
      usage: { input_tokens: 70, cached_tokens: 40, cache_write_tokens: 10, output_tokens: 30 },
    });
    expect(charge.metadata).toMatchObject({
      api: 'anthropic',
      client_api: 'openai',
      stream,
      usage_source: 'upstream',
      finish: 'completed',
    });
  }

  /** GPT's call (10 cached, 8 reasoning) priced by the OpenAI rule: 8 credits. */
  async function expectGptCharge(id: string, stream: boolean) {
    const charge = await onlyCharge(id);
    expect(charge).toMatchObject({ amount: -8, balance_after: 992 });
    expect(charge.pricing).toMatchObject({
      usage: { input_tokens: 30, cached_tokens: 10, output_tokens: 20, reasoning_tokens: 8 },
    });
    expect(charge.metadata).toMatchObject({
      api: 'openai',
      client_api: 'anthropic',
      stream,
      usage_source: 'upstream',
      finish: 'completed',
    });
  }

  const lastReceived = () => stack.upstream.received.at(-1)!;

  describe('the openai SDK calling a Claude model served by an Anthropic upstream', () => {
    it('answers a completion in OpenAI’s shape, usage with cached tokens, charged by the Anthropic rule', async () => {
      const u = await user();
      const completion = await u.openai.chat.completions.create({
        model: claude,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Say hello to the ledger.' },
        ],
        max_tokens: 100,
        temperature: 0.5,
        top_p: 0.9,
        stop: ['END'],
      });
      expect(completion).toMatchObject({
        object: 'chat.completion',
        model: claude,
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
          prompt_tokens_details: { cached_tokens: 40 },
        },
      });
      expect(lastReceived()).toMatchObject({
        path: '/v1/messages',
        apiKey: 'anthropic-secret',
        anthropicVersion: '2023-06-01',
        body: {
          model: claude,
          max_tokens: 100,
          system: [{ type: 'text', text: 'Be brief.' }],
          messages: [
            { role: 'user', content: [{ type: 'text', text: 'Say hello to the ledger.' }] },
          ],
          temperature: 0.5,
          top_p: 0.9,
          stop_sequences: ['END'],
        },
      });
      await expectClaudeCharge(u.user, false);
    });

    it('streams chunks, the usage chunk when asked, and is charged by the Anthropic rule', async () => {
      const u = await user();
      const stream = await u.openai.chat.completions.create({
        model: claude,
        messages: [{ role: 'user', content: 'Say hello to the ledger.' }],
        max_tokens: 100,
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello, ledger!');
      expect(chunks.at(-2)?.choices[0].finish_reason).toBe('stop');
      expect(chunks.at(-1)).toMatchObject({
        choices: [],
        usage: {
          prompt_tokens: 70,
          completion_tokens: 30,
          prompt_tokens_details: { cached_tokens: 40 },
        },
      });
      expect(lastReceived().body).toMatchObject({ stream: true, max_tokens: 100 });
      await expectClaudeCharge(u.user, true);
    });

    it('sends tools, tool results and images; answers tool calls, JSON and streamed', async () => {
      const u = await user(2000);
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather where this photo was taken?' },
            { type: 'image_url', image_url: { url: 'https://example.com/paris.png' } },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_0',
              type: 'function',
              function: { name: 'weather', arguments: '{"city":"Lyon"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_0', content: '18°C' },
      ];
      const completion = await u.openai.chat.completions.create({
        model: claudeTool,
        messages,
        tools: [WEATHER_OPENAI],
        tool_choice: 'auto',
        max_tokens: 100,
      });
      expect(completion.choices[0]).toMatchObject({
        message: {
          content: null,
          tool_calls: [
            { type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          ],
        },
        finish_reason: 'tool_calls',
      });
      expect(lastReceived().body).toMatchObject({
        tools: [{ name: 'weather', input_schema: WEATHER_OPENAI.function.parameters }],
        tool_choice: { type: 'auto' },
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text' },
              { type: 'image', source: { type: 'url', url: 'https://example.com/paris.png' } },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            ],
          },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'call_0', name: 'weather', input: { city: 'Lyon' } }],
          },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 'call_0',
                content: [{ type: 'text', text: '18°C' }],
              },
            ],
          },
        ],
      });

      const streamed = await u.openai.chat.completions
        .stream({ model: claudeTool, messages, tools: [WEATHER_OPENAI], max_tokens: 100 })
        .finalChatCompletion();
      expect(streamed.choices[0]).toMatchObject({
        message: { tool_calls: [{ function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
        finish_reason: 'tool_calls',
      });
      const charges = await eventually(async () => {
        const all = await stack.ledgerCharges(u.user);
        expect(all).toHaveLength(2);
        return all;
      });
      expect(charges.map((c) => c.amount)).toEqual([-10, -10]);
    });

    it('refuses what does not translate with a 400 naming the field, before any upstream call', async () => {
      const u = await user();
      const before = stack.upstream.received.length;
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hi' }];
      for (const [extra, field] of [
        [{ n: 2 }, 'n:'],
        [{ logprobs: true }, 'logprobs:'],
        [{ response_format: { type: 'json_object' } }, 'response_format:'],
        [{ temperature: 1.7 }, 'temperature:'],
      ] as const) {
        const error = await u.openai.chat.completions
          .create({ model: claude, messages, max_tokens: 10, ...extra })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error).toBeInstanceOf(OpenAI.BadRequestError);
        expect((error as { error: unknown }).error).toMatchObject({
          type: 'invalid_request_error',
          code: 'validation_failed',
        });
        expect((error as Error).message).toContain(
          `${field} cannot be translated to the Anthropic API`,
        );
      }
      expect(stack.upstream.received.length).toBe(before);
      expect(await stack.guardView(u.user)).toMatchObject({ reserved: 0, balance: 1000 });
      expect(await stack.ledgerCharges(u.user)).toEqual([]);
    });

    it('gives the upstream’s error in OpenAI’s shape, charging nothing', async () => {
      const u = await user();
      const error = await u.openai.chat.completions
        .create({
          model: claudeFailing,
          messages: [{ role: 'user', content: 'Hi' }],
          max_tokens: 10,
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect((error as { error: unknown }).error).toEqual({
        message: 'the fake upstream failed on purpose',
        type: 'rate_limit_error',
        param: null,
        code: 'api_error',
      });
      expect(await stack.guardView(u.user)).toMatchObject({ reserved: 0 });
      expect(await stack.ledgerCharges(u.user)).toEqual([]);
    });

    it('gives an upstream’s mid-stream error event as OpenAI’s error chunk, charged what was sent', async () => {
      const u = await user();
      let text = '';
      const failure = await (async () => {
        const stream = await u.openai.chat.completions.create({
          model: claudeBroken,
          messages: [{ role: 'user', content: 'Hi' }],
          max_tokens: 100,
          stream: true,
        });
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(text).toBe('Hello, ledger!');
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect((failure as { error: unknown }).error).toMatchObject({
        message: 'Overloaded',
        code: 'overloaded_error',
      });
      const charge = await onlyCharge(u.user);
      expect(charge.metadata).toMatchObject({ finish: 'upstream_failed', client_api: 'openai' });
    });

    it('stops a stream at the last credit with an OpenAI error, charged what was sent', async () => {
      const u = await user(60);
      let text = '';
      const failure = await (async () => {
        const stream = await u.openai.chat.completions.create({
          model: claudeRunaway,
          messages: [{ role: 'user', content: 'Go on.' }],
          max_tokens: 20,
          stream: true,
        });
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      expect((failure as Error).message).toContain('credits ran out');
      const charge = await onlyCharge(u.user);
      expect(charge.metadata).toMatchObject({
        finish: 'insufficient_credits',
        client_api: 'openai',
      });
      const output = (charge.pricing as { usage: { output_tokens: number } }).usage.output_tokens;
      expect(output).toBe(Math.ceil(Buffer.byteLength(text) / 4));
      expect(output).toBeGreaterThanOrEqual(20);
      expect(-charge.amount).toBeLessThanOrEqual(60);
    });
  });

  describe('the @anthropic-ai/sdk calling a GPT model served by an OpenAI upstream', () => {
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: 'Say hello to the ledger.' },
    ];

    it('answers a message in Anthropic’s shape, cache reads apart, charged by the OpenAI rule', async () => {
      const u = await user();
      const message = await u.anthropic.messages.create({
        model: gpt,
        max_tokens: 100,
        system: 'Be brief.',
        messages,
        stop_sequences: ['END'],
      });
      expect(message).toMatchObject({
        type: 'message',
        role: 'assistant',
        model: gpt,
        content: [{ type: 'text', text: 'Hello, ledger!' }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 20, output_tokens: 20, cache_read_input_tokens: 10 },
      });
      expect(lastReceived()).toMatchObject({
        path: '/v1/chat/completions',
        authorization: 'Bearer openai-secret',
        body: {
          model: gpt,
          max_completion_tokens: 100,
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'Say hello to the ledger.' },
          ],
          stop: ['END'],
        },
      });
      await expectGptCharge(u.user, false);
    });

    it('streams Anthropic’s events with the final usage, charged by the OpenAI rule', async () => {
      const u = await user();
      const stream = u.anthropic.messages.stream({ model: gpt, max_tokens: 100, messages });
      const texts: string[] = [];
      stream.on('text', (text) => texts.push(text));
      const message = await stream.finalMessage();
      expect(texts.join('')).toBe('Hello, ledger!');
      expect(message).toMatchObject({
        stop_reason: 'end_turn',
        usage: { input_tokens: 20, output_tokens: 20, cache_read_input_tokens: 10 },
      });
      expect(lastReceived().body).toMatchObject({
        stream: true,
        stream_options: { include_usage: true },
      });
      await expectGptCharge(u.user, true);
    });

    it('sends tools, tool results and images; answers tool_use blocks, JSON and streamed', async () => {
      const u = await user(2000);
      const conversation: Anthropic.MessageParam[] = [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Weather where this photo was taken?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/paris.png' } },
          ],
        },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_0', name: 'weather', input: { city: 'Lyon' } }],
        },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'toolu_0', content: '18°C' }],
        },
      ];
      const request = {
        model: gptTool,
        max_tokens: 100,
        messages: conversation,
        tools: [WEATHER_ANTHROPIC],
        tool_choice: { type: 'any' as const },
      };
      const message = await u.anthropic.messages.create(request);
      expect(message).toMatchObject({
        content: [{ type: 'tool_use', name: 'weather', input: { city: 'Paris' } }],
        stop_reason: 'tool_use',
      });
      expect(lastReceived().body).toMatchObject({
        tools: [
          {
            type: 'function',
            function: { name: 'weather', parameters: WEATHER_ANTHROPIC.input_schema },
          },
        ],
        tool_choice: 'required',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
              { type: 'image_url', image_url: { url: 'https://example.com/paris.png' } },
            ],
          },
          {
            role: 'assistant',
            tool_calls: [
              { id: 'toolu_0', function: { name: 'weather', arguments: '{"city":"Lyon"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_0', content: '18°C' },
        ],
      });
      const streamed = await u.anthropic.messages.stream(request).finalMessage();
      expect(streamed).toMatchObject({
        content: [{ type: 'tool_use', name: 'weather', input: { city: 'Paris' } }],
        stop_reason: 'tool_use',
      });
      const charges = await eventually(async () => {
        const all = await stack.ledgerCharges(u.user);
        expect(all).toHaveLength(2);
        return all;
      });
      expect(charges.map((c) => c.amount)).toEqual([-8, -8]);
    });

    it('refuses what does not translate with a 400 naming the field, before any upstream call', async () => {
      const u = await user();
      const before = stack.upstream.received.length;
      for (const [extra, field] of [
        [{ thinking: { type: 'enabled', budget_tokens: 1024 } }, 'thinking:'],
        [{ top_k: 5 }, 'top_k:'],
        [{ tools: [{ type: 'bash_20250124', name: 'bash' }] }, 'tools[0]:'],
      ] as const) {
        const error = await u.anthropic.messages
          .create({ model: gpt, max_tokens: 2000, messages, ...(extra as object) })
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect(error).toBeInstanceOf(Anthropic.BadRequestError);
        expect(error).toMatchObject({ status: 400, type: 'invalid_request_error' });
        expect((error as Error).message).toContain(
          `${field} cannot be translated to the OpenAI API`,
        );
      }
      expect(stack.upstream.received.length).toBe(before);
      expect(await stack.guardView(u.user)).toMatchObject({ reserved: 0, balance: 1000 });
      expect(await stack.ledgerCharges(u.user)).toEqual([]);
    });

    it('gives the upstream’s error in Anthropic’s shape, charging nothing', async () => {
      const u = await user();
      const error = await u.anthropic.messages
        .create({ model: gptFailing, max_tokens: 10, messages })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(Anthropic.RateLimitError);
      expect((error as { error: unknown }).error).toEqual({
        type: 'error',
        error: { type: 'rate_limit_error', message: 'the fake upstream failed on purpose' },
      });
      expect(await stack.ledgerCharges(u.user)).toEqual([]);
    });

    it('gives an upstream’s mid-stream error chunk as Anthropic’s error event, charged what was sent', async () => {
      const u = await user();
      let text = '';
      const stream = u.anthropic.messages.stream({ model: gptBroken, max_tokens: 100, messages });
      stream.on('text', (piece) => (text += piece));
      const failure = await stream.finalMessage().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(text).toBe('Hello, ledger!');
      expect(failure).toBeInstanceOf(Anthropic.APIError);
      expect(failure).toMatchObject({ type: 'api_error' });
      expect((failure as Error).message).toContain('Overloaded');
      const charge = await onlyCharge(u.user);
      expect(charge.metadata).toMatchObject({ finish: 'upstream_failed', client_api: 'anthropic' });
    });

    it('stops a stream at the last credit with billing_error, charged what was sent', async () => {
      const u = await user(60);
      let text = '';
      const stream = u.anthropic.messages.stream({ model: gptRunaway, max_tokens: 20, messages });
      stream.on('text', (piece) => (text += piece));
      const failure = await stream.finalMessage().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(Anthropic.APIError);
      expect(failure).toMatchObject({ type: 'billing_error' });
      expect((failure as Error).message).toContain('credits ran out');
      const charge = await onlyCharge(u.user);
      expect(charge.metadata).toMatchObject({
        finish: 'insufficient_credits',
        client_api: 'anthropic',
      });
      const output = (charge.pricing as { usage: { output_tokens: number } }).usage.output_tokens;
      expect(output).toBe(Math.ceil(Buffer.byteLength(text) / 4));
      expect(-charge.amount).toBeLessThanOrEqual(60);
    });
  });

  describe('the Vercel AI SDK across the APIs', () => {
    let ai: Ai;
    let openaiProvider: OpenAiProvider;
    let anthropicProvider: AnthropicProvider;

    beforeAll(async () => {
      [ai, openaiProvider, anthropicProvider] = await Promise.all([
        import('ai'),
        import('@ai-sdk/openai'),
        import('@ai-sdk/anthropic'),
      ]);
    });

    async function providers(credits = 1000) {
      const u = await user(credits);
      const baseURL = `${stack.gateway.url}/v1`;
      return {
        user: u.user,
        openai: openaiProvider.createOpenAI({ baseURL, apiKey: u.key }),
        anthropic: anthropicProvider.createAnthropic({ baseURL, apiKey: u.key }),
      };
    }

    it('openai.chat(claude): generateText and streamText, charged by the Anthropic rule', async () => {
      const p = await providers(2000);
      const result = await ai.generateText({
        model: p.openai.chat(claude),
        prompt: 'Say hello.',
        maxOutputTokens: 100,
      });
      expect(result.text).toBe('Hello, ledger!');
      expect(result.finishReason).toBe('stop');
      expect(result.usage).toMatchObject({ inputTokens: 70, outputTokens: 30 });
      const streamed = ai.streamText({
        model: p.openai.chat(claude),
        prompt: 'Say hello.',
        maxOutputTokens: 100,
      });
      let text = '';
      for await (const piece of streamed.textStream) text += piece;
      expect(text).toBe('Hello, ledger!');
      expect(await streamed.usage).toMatchObject({ inputTokens: 70, outputTokens: 30 });
      const charges = await eventually(async () => {
        const all = await stack.ledgerCharges(p.user);
        expect(all).toHaveLength(2);
        return all;
      });
      expect(charges.map((c) => c.amount)).toEqual([-10, -10]);
    });

    it('tools both ways, streamed: openai.chat(claude) and anthropic(gpt) call the tool', async () => {
      const p = await providers(2000);
      const tools = {
        weather: ai.tool({
          description: 'The weather in a city',
          inputSchema: ai.jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
        }),
      };
      for (const model of [p.openai.chat(claudeTool), p.anthropic(gptTool)]) {
        const streamed = ai.streamText({
          model,
          prompt: 'Weather in Paris?',
          tools,
          maxOutputTokens: 100,
        });
        for await (const piece of streamed.textStream) void piece;
        expect(await streamed.toolCalls).toMatchObject([
          { toolName: 'weather', input: { city: 'Paris' } },
        ]);
        expect(await streamed.finishReason).toBe('tool-calls');
      }
      const charges = await eventually(async () => {
        const all = await stack.ledgerCharges(p.user);
        expect(all).toHaveLength(2);
        return all;
      });
      expect(charges.map((c) => c.amount)).toEqual([-10, -8]);
      expect(charges.map((c) => c.metadata.api)).toEqual(['anthropic', 'openai']);
    });

    it('anthropic(gpt): streamText with usage incl. cache reads, charged by the OpenAI rule', async () => {
      const p = await providers();
      const streamed = ai.streamText({
        model: p.anthropic(gpt),
        prompt: 'Say hello.',
        maxOutputTokens: 100,
      });
      let text = '';
      for await (const piece of streamed.textStream) text += piece;
      expect(text).toBe('Hello, ledger!');
      expect(await streamed.finishReason).toBe('stop');
      const usage = await streamed.usage;
      expect(usage).toMatchObject({ outputTokens: 20, inputTokenDetails: { cacheReadTokens: 10 } });
      await expectGptCharge(p.user, true);
    });
  });
});
