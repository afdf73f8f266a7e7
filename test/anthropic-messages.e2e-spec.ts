import {
  anthropicUpstreams,
  CACHED_CLAUDE,
  CACHED_CLAUDE_PRICES,
} from './support/anthropic-fixtures';
import { ChatStack } from './support/chat-stack';
import { call } from './support/http';
import { eventually, unique } from './support/wait';

// The official @anthropic-ai/sdk is not in node_modules: these tests speak Anthropic's documented
// wire format with fetch, as that client does (x-api-key, anthropic-version, event: lines).
const messages = [{ role: 'user', content: 'Meter every Claude token, please.' }];
const system = 'You are terse.';
/** The gateway's prompt estimate (4 bytes a token of the system prompt, messages and tools). */
const promptTokens = (withSystem: unknown = null, tools: unknown = null) =>
  Math.ceil(Buffer.byteLength(JSON.stringify([withSystem, messages, tools])) / 4);
// Anthropic's worked example: 0.1 / 0.01 / 0.125 / 0.2 credits a token (input, cache read, cache
// write, output). Per million tokens here.
const ONE_A_TOKEN = { input: '1000000', output: '1000000' };
const SLICE = 16;
const VERSION = '2023-06-01';

type Auth = 'x-api-key' | 'bearer';

interface SseEvent {
  event?: string;
  data: Record<string, unknown>;
}

/** Anthropic's SSE as its client reads it: `event:` and `data:` lines, blank-line separated. */
function parseEvents(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

describe('POST /v1/messages (Anthropic Messages API) through the gateway', () => {
  const stack = new ChatStack();
  let cached: string;

  beforeAll(async () => {
    await stack.start((upstreamUrl) => ({
      UPSTREAMS: anthropicUpstreams(upstreamUrl),
      STREAM_SLICE_TOKENS: String(SLICE),
      UPSTREAM_TIMEOUT_MS: '2000',
    }));
    cached = await stack.addModel(CACHED_CLAUDE, CACHED_CLAUDE_PRICES, unique('claude'));
  });
  afterAll(() => stack.stop());

  async function send(
    key: string | undefined,
    body: unknown,
    { auth = 'x-api-key', path = '/v1/messages' }: { auth?: Auth; path?: string } = {},
  ) {
    const credentials: Record<string, string> =
      key === undefined
        ? {}
        : auth === 'x-api-key'
          ? { 'x-api-key': key }
          : { authorization: `Bearer ${key}` };
    const response = await fetch(`${stack.gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': VERSION, ...credentials },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      text: await response.text(),
    };
  }

  async function onlyCharge(user: string) {
    return eventually(async () => {
      const charges = await stack.ledgerCharges(user);
      expect(charges).toHaveLength(1);
      return charges[0];
    });
  }

  it('answers the upstream’s message and charges input, cache reads, cache writes and output exactly once each', async () => {
    const user = await stack.fundedUser(1000);
    const { key } = await stack.newKey(user);
    const answer = await send(key, { model: cached, max_tokens: 100, system, messages });
    expect(answer.status).toBe(200);
    const message = JSON.parse(answer.text) as Record<string, unknown>;
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Hello, ledger!' }],
      stop_reason: 'end_turn',
      usage: {
        input_tokens: 20,
        output_tokens: 30,
        cache_read_input_tokens: 40,
        cache_creation_input_tokens: 10,
      },
    });
    const charge = await onlyCharge(user);
    expect(charge).toMatchObject({ source: 'chat', amount: -10, balance_after: 990 });
    expect(charge.source_ref_id).toBe(message.id);
    // The ledger's convention: input_tokens include the cache reads and writes.
    expect(charge.pricing).toMatchObject({
      mode: 'tokens',
      model: cached,
      provider: 'anthropic',
      rule_version: 1,
      usage: { input_tokens: 70, cached_tokens: 40, cache_write_tokens: 10, output_tokens: 30 },
    });
    expect(charge.metadata).toMatchObject({
      api: 'anthropic',
      usage_source: 'upstream',
      stream: false,
    });
    // The upstream got its own key in Anthropic's header and the client's version, never the user's key.
    const received = stack.upstream.received.at(-1)!;
    expect(received).toMatchObject({
      apiKey: 'anthropic-secret',
      anthropicVersion: VERSION,
      path: '/v1/messages',
    });
    expect(received.authorization).toBeUndefined();
    const { body: usage } = await call<{ totals: Record<string, number> }>(
      'GET',
      `${stack.store.url}/accounts/${user}/usage?period=24h`,
    );
    expect(usage.totals).toMatchObject({
      credits: 10,
      input_tokens: 70,
      cached_tokens: 40,
      cache_write_tokens: 10,
    });
  });

  it('streams Anthropic’s events as they come, message_stop last and after the charge, with a Bearer key', async () => {
    const user = await stack.fundedUser(1000);
    const { key } = await stack.newKey(user);
    const answer = await send(
      key,
      { model: cached, max_tokens: 100, messages, stream: true },
      { auth: 'bearer' },
    );
    expect(answer.status).toBe(200);
    expect(answer.type).toContain('text/event-stream');
    const events = parseEvents(answer.text);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events.every((e) => e.data.type === e.event)).toBe(true);
    const text = events
      .map((e) => (e.data.delta as { text?: string } | undefined)?.text ?? '')
      .join('');
    expect(text).toBe('Hello, ledger!');
    expect(events[0].data.message).toMatchObject({
      usage: { input_tokens: 20, cache_read_input_tokens: 40, cache_creation_input_tokens: 10 },
    });
    expect(events[8].data.usage).toEqual({ output_tokens: 30 });
    const charge = await onlyCharge(user);
    expect(charge.amount).toBe(-10);
    expect(charge.metadata).toMatchObject({ api: 'anthropic', stream: true, finish: 'completed' });
    expect(stack.upstream.received.at(-1)?.apiKey).toBe('anthropic-secret');
  });

  it('refuses an unfunded user with 402 billing_error in Anthropic’s shape, before any upstream call', async () => {
    const user = await stack.fundedUser(0);
    const { key } = await stack.newKey(user);
    const before = stack.upstream.received.length;
    for (const stream of [false, true]) {
      const answer = await send(key, { model: cached, max_tokens: 100, messages, stream });
      expect(answer.status).toBe(402);
      expect(JSON.parse(answer.text)).toEqual({
        type: 'error',
        error: {
          type: 'billing_error',
          message: expect.stringContaining('insufficient') as string,
        },
      });
    }
    expect(stack.upstream.received.length).toBe(before);
    expect(await stack.ledgerCharges(user)).toEqual([]);
  });

  it('answers 401 authentication_error without a key or with a wrong one', async () => {
    for (const key of [undefined, 'tk_not_a_key']) {
      const answer = await send(key, { model: cached, max_tokens: 10, messages });
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.text)).toMatchObject({
        type: 'error',
        error: { type: 'authentication_error' },
      });
    }
  });

  it('refuses a bad body with 400 invalid_request_error naming the field, writing nothing', async () => {
    const user = await stack.fundedUser(1000);
    const { key } = await stack.newKey(user);
    const cases: [unknown, string][] = [
      [{ model: cached, messages }, 'max_tokens'],
      [{ model: cached, max_tokens: 0, messages }, 'max_tokens'],
      [{ model: cached, max_tokens: 10, messages: [] }, 'messages'],
      [{ max_tokens: 10, messages }, 'model'],
      [{ model: cached, max_tokens: 10, messages, stream: 'yes' }, 'stream'],
    ];
    for (const [body, field] of cases) {
      const answer = await send(key, body);
      expect(answer.status).toBe(400);
      const error = JSON.parse(answer.text) as {
        type: string;
        error: { type: string; message: string };
      };
      expect(error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      expect(error.error.message).toContain(field);
    }
    const broken = await send(key, '{"model":');
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.text)).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
    expect(await stack.ledgerCharges(user)).toEqual([]);
    expect((await stack.guardView(user)).reserved).toBe(0);
  });

  it('answers a model only an OpenAI upstream serves through translation, and 404 for an unpriced one', async () => {
    const openAiOnly = await stack.addModel(
      { chunks: ['hi'], usage: { prompt_tokens: 1, completion_tokens: 1 } },
      ONE_A_TOKEN,
    );
    const user = await stack.fundedUser(1000);
    const { key } = await stack.newKey(user);
    const answer = await send(key, { model: openAiOnly, max_tokens: 10, messages });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'hi' }],
      stop_reason: 'end_turn',
    });
    expect(stack.upstream.received.at(-1)?.path).toBe('/v1/chat/completions');
    const unpriced = await send(key, { model: unique('claude'), max_tokens: 10, messages });
    expect(unpriced.status).toBe(404);
    expect(JSON.parse(unpriced.text)).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error' },
    });
  });

  it('lists the chat models (an OpenAI-only one too, translated) in Anthropic’s shape when asked with anthropic-version', async () => {
    const openAiOnly = await stack.addModel(
      { chunks: ['hi'], usage: { prompt_tokens: 1, completion_tokens: 1 } },
      ONE_A_TOKEN,
    );
    const { key } = await stack.newKey(await stack.fundedUser(0));
    const list = async (headers: Record<string, string>) => {
      const answer = await fetch(`${stack.gateway.url}/v1/models`, {
        headers: { authorization: `Bearer ${key}`, ...headers },
      });
      expect(answer.status).toBe(200);
      return (await answer.json()) as { data: { id: string; type?: string }[] };
    };
    const anthropic = await list({ 'anthropic-version': VERSION });
    expect(anthropic).toMatchObject({ has_more: false });
    expect(anthropic.data).toContainEqual(
      expect.objectContaining({ type: 'model', id: cached, display_name: cached }),
    );
    expect(anthropic.data.map((m) => m.id)).toContain(openAiOnly);
    const openai = await list({});
    expect(openai).toMatchObject({ object: 'list' });
    expect(openai.data.map((m) => m.id)).toContain(openAiOnly);
  });

  it('lets 100 parallel calls on credits for 10 spend at most one call’s worth more', async () => {
    // Each call reserves and costs the minimum of 1 credit.
    const cheap = await stack.addModel(
      { chunks: ['ok'], usage: { prompt_tokens: 3, completion_tokens: 1 } },
      { input: '1', output: '1' },
      unique('claude'),
    );
    const user = await stack.fundedUser(10);
    const { key } = await stack.newKey(user);
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        send(key, { model: cheap, max_tokens: 5, messages, stream: i % 2 === 0 }),
      ),
    );
    const served = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 402);
    expect(served + refused.length).toBe(100);
    expect(served).toBeGreaterThanOrEqual(1);
    expect(served).toBeLessThanOrEqual(11);
    expect(JSON.parse(refused[0].text)).toMatchObject({ error: { type: 'billing_error' } });
    await eventually(async () => {
      expect(await stack.ledgerCharges(user)).toHaveLength(served);
    });
    expect(await stack.balance(user)).toBeGreaterThanOrEqual(-1);
  });

  it('passes an upstream failure through and charges nothing', async () => {
    const failing = await stack.addModel(
      { chunks: ['x'], usage: { prompt_tokens: 1, completion_tokens: 1 }, failWith: 500 },
      ONE_A_TOKEN,
      unique('claude'),
    );
    const user = await stack.fundedUser(1000);
    const { key } = await stack.newKey(user);
    for (const stream of [false, true]) {
      const answer = await send(key, { model: failing, max_tokens: 10, messages, stream });
      expect(answer.status).toBe(500);
      expect(JSON.parse(answer.text)).toMatchObject({
        type: 'error',
        error: { type: 'api_error' },
      });
    }
    expect((await stack.guardView(user)).reserved).toBe(0);
    expect(await stack.ledgerCharges(user)).toEqual([]);
  });

  it('stops a stream from an upstream that ignores max_tokens at the last credit, with a billing_error event, and charges what was sent', async () => {
    const runaway = await stack.addModel(
      { chunks: ['abcdefgh'], usage: null, endless: true, chunkDelayMs: 5 },
      ONE_A_TOKEN,
      unique('claude'),
    );
    const reservation = promptTokens() + 20;
    // Covers the call's reservation but not one slice more.
    const user = await stack.fundedUser(reservation + SLICE / 2);
    const { key } = await stack.newKey(user);
    const answer = await send(key, { model: runaway, max_tokens: 20, messages, stream: true });
    expect(answer.status).toBe(200);
    const events = parseEvents(answer.text);
    expect(events.at(-1)).toEqual({
      event: 'error',
      data: {
        type: 'error',
        error: {
          type: 'billing_error',
          message: expect.stringContaining('credits ran out') as string,
        },
      },
    });
    expect(events.some((e) => e.event === 'message_stop')).toBe(false);
    const sent = events
      .map((e) => (e.data.delta as { text?: string } | undefined)?.text ?? '')
      .join('');
    const charge = await onlyCharge(user);
    expect(charge.metadata).toMatchObject({
      finish: 'insufficient_credits',
      usage_source: 'estimated',
    });
    const output = (charge.pricing as { usage: { output_tokens: number } }).usage.output_tokens;
    expect(output).toBe(Math.ceil(Buffer.byteLength(sent) / 4));
    // Cut at what was covered: the 20 reserved (the next slice was not), never past them.
    expect(output).toBe(20);
    expect(-charge.amount).toBeLessThanOrEqual(reservation + SLICE);
  });

  it('charges a client that leaves mid-stream for what was produced', async () => {
    const slow = await stack.addModel(
      { chunks: ['abcd'], usage: null, endless: true, chunkDelayMs: 20 },
      ONE_A_TOKEN,
      unique('claude'),
    );
    const user = await stack.fundedUser(1000);
    const { key } = await stack.newKey(user);
    const abort = new AbortController();
    const response = await fetch(`${stack.gateway.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': VERSION,
        'x-api-key': key,
      },
      body: JSON.stringify({ model: slow, max_tokens: 500, messages, stream: true }),
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';
    while ((seen.match(/event: content_block_delta/g) ?? []).length < 10) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`the stream ended early: ${seen}`);
      seen += new TextDecoder().decode(value);
    }
    abort.abort();
    const charge = await onlyCharge(user);
    expect(charge.metadata).toMatchObject({ finish: 'client_disconnected' });
    expect(-charge.amount).toBeGreaterThanOrEqual(promptTokens() + 10);
    expect(-charge.amount).toBeLessThan(promptTokens() + 500);
    expect((await stack.guardView(user)).reserved).toBe(0);
  });

  it('counts tokens through the upstream, free, with either key header', async () => {
    const user = await stack.fundedUser(0);
    const { key } = await stack.newKey(user);
    for (const auth of ['x-api-key', 'bearer'] as const) {
      const answer = await send(
        key,
        { model: cached, messages },
        { auth, path: '/v1/messages/count_tokens' },
      );
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ input_tokens: 20 });
      expect(stack.upstream.received.at(-1)).toMatchObject({
        apiKey: 'anthropic-secret',
        path: '/v1/messages/count_tokens',
      });
    }
    const bad = await send(key, { model: cached }, { path: '/v1/messages/count_tokens' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ error: { type: 'invalid_request_error' } });
    expect(await stack.ledgerCharges(user)).toEqual([]);
  });
});
