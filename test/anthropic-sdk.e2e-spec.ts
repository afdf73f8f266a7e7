import Anthropic from '@anthropic-ai/sdk';
import {
  anthropicUpstreams,
  CACHED_CLAUDE,
  CACHED_CLAUDE_PRICES,
} from './support/anthropic-fixtures';
import { ChatStack } from './support/chat-stack';
import { eventually, unique } from './support/wait';

const messages: Anthropic.MessageParam[] = [
  { role: 'user', content: 'Meter every Claude token, please.' },
];
// Anthropic's worked example: 0.1 / 0.01 / 0.125 / 0.2 credits a token (input, cache read, cache
// write, output); input 20, cache read 40, cache write 10, output 30 = 9.65 → 10 credits.
const ONE_A_TOKEN = { input: '1000000', output: '1000000' };
const SLICE = 16;
type Auth = 'apiKey' | 'x-api-key';
const AUTHS: Auth[] = ['apiKey', 'x-api-key'];
const promptTokens = () => Math.ceil(Buffer.byteLength(JSON.stringify([null, messages, null])) / 4);

describe('Anthropic’s Messages API through the gateway with the official @anthropic-ai/sdk', () => {
  const stack = new ChatStack();
  let cached: string;
  let hourCached: string;
  let hourPriced: string;
  let runaway: string;

  beforeAll(async () => {
    await stack.start((upstreamUrl) => ({
      UPSTREAMS: anthropicUpstreams(upstreamUrl),
      STREAM_SLICE_TOKENS: String(SLICE),
    }));
    cached = await stack.addModel(CACHED_CLAUDE, CACHED_CLAUDE_PRICES, unique('claude'));
    // The same call with its 10 cache writes all to the 1-hour cache.
    const hourCache = { ...CACHED_CLAUDE, cache: { read: 40, write: 10, write1h: 10 } };
    hourCached = await stack.addModel(hourCache, CACHED_CLAUDE_PRICES, unique('claude'));
    hourPriced = await stack.addModel(
      hourCache,
      { ...CACHED_CLAUDE_PRICES, cacheWrite1h: '500000' },
      unique('claude'),
    );
    runaway = await stack.addModel(
      { chunks: ['abcdefgh'], usage: null, endless: true, chunkDelayMs: 5 },
      ONE_A_TOKEN,
      unique('claude'),
    );
  });
  afterAll(() => stack.stop());

  /**
   * The SDK as a product configures it: the gateway as base URL, the Tally key as its API key
   * (which this SDK version sends as a Bearer token), or the key in `x-api-key` (as earlier SDK
   * versions, curl examples and other Anthropic clients send it).
   */
  async function client(
    credits: number,
    auth: Auth = 'apiKey',
  ): Promise<{ user: string; anthropic: Anthropic }> {
    const user = await stack.fundedUser(credits);
    const { key } = await stack.newKey(user);
    const credentials =
      auth === 'apiKey' ? { apiKey: key } : { apiKey: null, defaultHeaders: { 'x-api-key': key } };
    return {
      user,
      anthropic: new Anthropic({ ...credentials, baseURL: stack.gateway.url, maxRetries: 0 }),
    };
  }

  const onlyCharge = (user: string) =>
    eventually(async () => {
      const charges = await stack.ledgerCharges(user);
      expect(charges).toHaveLength(1);
      return charges[0];
    });

  async function expectCacheCharge(user: string, stream: boolean, id: string) {
    const charge = await onlyCharge(user);
    expect(charge).toMatchObject({ amount: -10, balance_after: 990, source_ref_id: id });
    expect(charge.pricing).toMatchObject({
      usage: { input_tokens: 70, cached_tokens: 40, cache_write_tokens: 10, output_tokens: 30 },
    });
    expect(charge.metadata).toMatchObject({ api: 'anthropic', stream, usage_source: 'upstream' });
  }

  it.each(AUTHS)(
    'messages.create (%s) answers the message and charges it exactly',
    async (auth) => {
      const { user, anthropic } = await client(1000, auth);
      const message = await anthropic.messages.create({ model: cached, max_tokens: 100, messages });
      expect(message).toMatchObject({
        type: 'message',
        content: [{ type: 'text', text: 'Hello, ledger!' }],
        stop_reason: 'end_turn',
        usage: {
          input_tokens: 20,
          output_tokens: 30,
          cache_read_input_tokens: 40,
          cache_creation_input_tokens: 10,
        },
      });
      await expectCacheCharge(user, false, message.id);
      expect(stack.upstream.received.at(-1)).toMatchObject({ apiKey: 'anthropic-secret' });
    },
  );

  it('messages.stream() gives the text and the final message, charged exactly', async () => {
    const { user, anthropic } = await client(1000);
    const stream = anthropic.messages.stream({ model: cached, max_tokens: 100, messages });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();
    expect(texts.join('')).toBe('Hello, ledger!');
    expect(message.usage).toMatchObject({
      input_tokens: 20,
      output_tokens: 30,
      cache_read_input_tokens: 40,
      cache_creation_input_tokens: 10,
    });
    expect(message.stop_reason).toBe('end_turn');
    await expectCacheCharge(user, true, message.id);
  });

  it('create({ stream: true }) iterates the raw events to message_stop, charged exactly', async () => {
    const { user, anthropic } = await client(1000);
    const stream = await anthropic.messages.create({
      model: cached,
      max_tokens: 100,
      messages,
      stream: true,
    });
    const types: string[] = [];
    let id = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'message_start') id = event.message.id;
    }
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    expect(types.filter((t) => t === 'content_block_delta')).toHaveLength(4);
    await expectCacheCharge(user, true, id);
  });

  it('charges 1-hour cache writes at twice input, or at the rule’s own price, JSON and streamed', async () => {
    // 2 + 0.4 + 10 × 0.2 + 6 = 10.4 → 11 (as 5-minute writes: 9.65 → 10); at the rule's 0.5 a
    // write: 2 + 0.4 + 5 + 6 = 13.4 → 14.
    const system: Anthropic.TextBlockParam[] = [
      {
        type: 'text',
        text: 'A long, stable prefix.',
        cache_control: { type: 'ephemeral', ttl: '1h' },
      },
    ];
    for (const [model, amount] of [
      [hourCached, 11],
      [hourPriced, 14],
    ] as const) {
      for (const stream of [false, true]) {
        const { user, anthropic } = await client(1000);
        const request = { model, max_tokens: 100, system, messages };
        const message = stream
          ? await anthropic.messages.stream(request).finalMessage()
          : await anthropic.messages.create(request);
        expect(message.usage).toMatchObject({
          cache_creation_input_tokens: 10,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 10 },
        });
        const charge = await onlyCharge(user);
        expect(charge).toMatchObject({ amount: -amount, balance_after: 1000 - amount });
        expect(charge.pricing).toMatchObject({
          usage: {
            input_tokens: 70,
            cached_tokens: 40,
            cache_write_tokens: 10,
            cache_write_1h_tokens: 10,
            output_tokens: 30,
          },
        });
      }
    }
  });

  it('messages.countTokens counts through the upstream and charges nothing', async () => {
    const { user, anthropic } = await client(0);
    await expect(anthropic.messages.countTokens({ model: cached, messages })).resolves.toEqual({
      input_tokens: 20,
    });
    expect(stack.upstream.received.at(-1)).toMatchObject({
      path: '/v1/messages/count_tokens',
      apiKey: 'anthropic-secret',
    });
    expect(await stack.ledgerCharges(user)).toEqual([]);
  });

  it.each(AUTHS)('models.list (%s) lists the Anthropic upstreams’ models', async (auth) => {
    const { anthropic } = await client(0, auth);
    const ids: string[] = [];
    for await (const model of anthropic.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining([cached, runaway]));
  });

  it('an unfunded user gets the SDK’s APIError 402 of type billing_error, JSON and streamed', async () => {
    const { user, anthropic } = await client(0);
    const before = stack.upstream.received.length;
    const refusals = [
      anthropic.messages.create({ model: cached, max_tokens: 100, messages }),
      anthropic.messages.create({ model: cached, max_tokens: 100, messages, stream: true }),
      anthropic.messages.stream({ model: cached, max_tokens: 100, messages }).finalMessage(),
    ];
    for (const refusal of refusals) {
      const error = await refusal.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Anthropic.APIError);
      expect(error).toMatchObject({ status: 402, type: 'billing_error' });
    }
    expect(stack.upstream.received.length).toBe(before);
    expect(await stack.ledgerCharges(user)).toEqual([]);
  });

  it('a stream stopped at the last credit raises billing_error in the SDK and is charged what was sent', async () => {
    const reservation = promptTokens() + 20;
    for (const how of ['stream()', 'create'] as const) {
      // Covers the call's reservation but not one slice more.
      const { user, anthropic } = await client(reservation + SLICE / 2);
      let text = '';
      let failure: unknown;
      try {
        if (how === 'stream()') {
          const stream = anthropic.messages.stream({ model: runaway, max_tokens: 20, messages });
          stream.on('text', (piece) => (text += piece));
          await stream.finalMessage();
        } else {
          const stream = await anthropic.messages.create({
            model: runaway,
            max_tokens: 20,
            messages,
            stream: true,
          });
          for await (const event of stream) {
            if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
              text += event.delta.text;
            }
          }
        }
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(Anthropic.APIError);
      expect(failure).toMatchObject({ type: 'billing_error' });
      expect((failure as Error).message).toContain('credits ran out');
      const charge = await onlyCharge(user);
      expect(charge.metadata).toMatchObject({ finish: 'insufficient_credits' });
      const output = (charge.pricing as { usage: { output_tokens: number } }).usage.output_tokens;
      expect(output).toBe(Math.ceil(Buffer.byteLength(text) / 4));
      // Cut at what was covered: the 20 reserved (the next slice was not), never past them.
      expect(output).toBe(20);
    }
  });
});
