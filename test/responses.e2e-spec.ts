import type OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { ChatStack } from './support/chat-stack';
import { drain, servedAndRefused } from './support/client-calls';
import { call } from './support/http';
import { eventually } from './support/wait';

const input = 'Say hello to the ledger.';
const instructions = 'You are terse.';
/** The gateway's prompt estimate (4 bytes a token of the input, instructions and tools). */
const promptTokens = (tools?: unknown) =>
  Math.ceil(Buffer.byteLength(JSON.stringify([input, instructions, tools ?? null])) / 4);
// 0.1 credit an input token (0.05 cached), 0.2 an output token (0.3 reasoning).
const PRICES = { input: '100000', cached: '50000', output: '200000', reasoning: '300000' };
const ONE_A_TOKEN = { input: '1000000', output: '1000000' };
const DEFAULT_MAX_TOKENS = 500;
const SLICE = 16;

/** The same answer with its ids (which the fake numbers by request) made equal. */
const sameIds = (value: unknown) =>
  JSON.parse(JSON.stringify(value).replace(/resp_fake_\w+/g, 'resp_x')) as unknown;

describe('POST /v1/responses (OpenAI Responses API) with the official openai client', () => {
  const stack = new ChatStack();
  let db: DataSource;
  let model: string;

  beforeAll(async () => {
    await stack.start({
      GUARD_DEFAULT_MAX_TOKENS: String(DEFAULT_MAX_TOKENS),
      STREAM_SLICE_TOKENS: String(SLICE),
    });
    db = stack.gateway.app.get(DataSource);
    // 30 input tokens of which 10 cached; 20 visible output tokens after 8 of reasoning:
    // 20 × 0.1 + 10 × 0.05 + 20 × 0.2 + 8 × 0.3 = 8.9, charged 9.
    model = await stack.addModel(
      {
        chunks: ['Hello', ', ', 'ledger', '!'],
        usage: { prompt_tokens: 30, completion_tokens: 20 },
        cachedTokens: 10,
        reasoningTokens: 8,
      },
      PRICES,
    );
  });
  afterAll(() => stack.stop());

  const gatewayCharges = (user: string) =>
    db.query<{ amount: string }[]>(`SELECT amount FROM charges WHERE user_id = $1`, [user]);
  const liveReservations = (user: string) =>
    db.query<{ id: string }[]>(
      `SELECT id FROM reservations WHERE user_id = $1 AND expires_at > now()`,
      [user],
    );
  const onlyCharge = (user: string) =>
    eventually(async () => {
      const charges = await stack.ledgerCharges(user);
      expect(charges).toHaveLength(1);
      return charges[0];
    });

  async function keyedClient(credits: number): Promise<{ user: string; client: OpenAI }> {
    const user = await stack.fundedUser(credits);
    return { user, client: stack.client((await stack.newKey(user)).key) };
  }

  it('answers what the upstream answers and charges input, cached, output and reasoning tokens exactly', async () => {
    const { user, client } = await keyedClient(1000);
    const request = { model, input, instructions, max_output_tokens: 100 };

    const viaGateway = await client.responses.create(request);
    const direct = await stack.directClient().responses.create(request);
    expect(sameIds(viaGateway)).toEqual(sameIds(direct));
    expect(viaGateway.output_text).toBe('Hello, ledger!');
    expect(stack.upstream.received.at(-2)).toMatchObject({
      path: '/v1/responses',
      authorization: 'Bearer upstream-secret',
    });

    const charge = await onlyCharge(user);
    expect(charge).toMatchObject({
      source: 'responses',
      amount: -9,
      balance_after: 991,
      source_ref_id: viaGateway.id,
    });
    expect(charge.pricing).toMatchObject({
      model,
      usage: { input_tokens: 30, cached_tokens: 10, output_tokens: 28, reasoning_tokens: 8 },
    });
    expect(charge.metadata).toMatchObject({ usage_source: 'upstream', stream: false });
  });

  it('streams the typed events as the upstream sends them, to response.completed, and charges its usage', async () => {
    const { user, client } = await keyedClient(1000);
    const request = { model, input, instructions, max_output_tokens: 100, stream: true as const };

    const { items: events, failure } = await drain(await client.responses.create(request));
    expect(failure).toBeUndefined();
    const direct = await drain(await stack.directClient().responses.create(request));
    expect(sameIds(events)).toEqual(sameIds(direct.items));
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array<string>(4).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(completed.response.usage).toMatchObject({ input_tokens: 30, output_tokens: 28 });

    const charge = await onlyCharge(user);
    expect(charge).toMatchObject({ amount: -9, source_ref_id: completed.response.id });
    expect(charge.metadata).toMatchObject({
      usage_source: 'upstream',
      stream: true,
      finish: 'completed',
    });
  });

  it('records the charge before the client sees response.completed', async () => {
    // The upstream keeps the stream open a while after its last event.
    const lingering = await stack.addModel(
      { chunks: ['Hi'], usage: { prompt_tokens: 10, completion_tokens: 1 }, lingerMs: 500 },
      ONE_A_TOKEN,
    );
    const { user, client } = await keyedClient(1000);
    let chargedAtEnd: unknown;
    for await (const event of await client.responses.create({
      model: lingering,
      input,
      stream: true,
    })) {
      if (event.type === 'response.completed') chargedAtEnd = await gatewayCharges(user);
    }
    expect(chargedAtEnd).toEqual([{ amount: '11' }]);
  });

  it('gives the upstream the output limit it reserved when the client sets none', async () => {
    const { user, client } = await keyedClient(1000);
    await client.responses.create({ model, input, instructions });
    expect(stack.upstream.received.at(-1)?.body).toMatchObject({
      max_output_tokens: DEFAULT_MAX_TOKENS,
    });
    await onlyCharge(user);
  });

  it('refuses an unfunded user with 402 in OpenAI’s shape before any upstream call', async () => {
    const { user, client } = await keyedClient(0);
    const before = stack.upstream.received.length;
    for (const stream of [false, true]) {
      await expect(
        client.responses.create({ model, input, instructions, stream }),
      ).rejects.toMatchObject({
        status: 402,
        code: 'insufficient_credits',
        type: 'insufficient_credits',
      });
    }
    expect(stack.upstream.received.length).toBe(before);
    expect(await gatewayCharges(user)).toEqual([]);
  });

  it('refuses background: true, hosted tools, conversations and bad fields with a 400 naming the field, writing nothing', async () => {
    const { user, client } = await keyedClient(1000);
    const before = stack.upstream.received.length;
    const refusals: [Record<string, unknown>, string][] = [
      [{ background: true }, 'background: true is not supported'],
      [
        { tools: [{ type: 'web_search' }] },
        'tools[0].type: web_search is not supported: only function and custom tools',
      ],
      [{ conversation: 'conv_1' }, 'conversation: not supported'],
      [{ input: [{ type: 'item_reference', id: 'msg_1' }] }, 'input[0].type: item_reference'],
      [{ max_output_tokens: 0 }, 'max_output_tokens: must be a positive integer'],
      [{ input: 42 }, 'input: must be a string or a list'],
      [{ model: '' }, 'model: must be a model name'],
    ];
    for (const [fields, reason] of refusals) {
      const refused = await client.responses
        .create({ model, input, ...fields } as OpenAI.Responses.ResponseCreateParamsNonStreaming)
        .then(
          () => undefined,
          (error: { status?: number; message?: string; type?: string }) => error,
        );
      expect(refused).toMatchObject({ status: 400, type: 'invalid_request_error' });
      expect(refused?.message).toContain(reason);
    }
    expect(stack.upstream.received.length).toBe(before);
    expect(await gatewayCharges(user)).toEqual([]);
    expect(await liveReservations(user)).toEqual([]);
  });

  describe('stored responses', () => {
    it('lets the key that created a response read it, and no other key', async () => {
      const { user, client } = await keyedClient(1000);
      const created = await client.responses.create({ model, input, instructions });
      await onlyCharge(user);

      const read = await client.responses.retrieve(created.id);
      expect(sameIds(read)).toEqual(sameIds(created));
      expect(stack.upstream.received.at(-1)?.path).toBe(`/v1/responses/${created.id}`);
      const replay = await call(
        'GET',
        `${stack.gateway.url}/v1/responses/${created.id}?stream=true`,
        {
          as: 'none',
          headers: { authorization: `Bearer ${client.apiKey}` },
        },
      );
      expect(replay.status).toBe(400);
      expect(JSON.stringify(replay.body)).toContain('stream: replaying');

      // Another user's key, and the same user's other key.
      const stranger = (await keyedClient(1000)).client;
      const sibling = stack.client((await stack.newKey(user)).key);
      for (const other of [stranger, sibling]) {
        const asked = stack.upstream.received.length;
        await expect(other.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
        await expect(
          other.responses.create({ model, input, previous_response_id: created.id }),
        ).rejects.toMatchObject({ status: 404, code: 'not_found' });
        expect(stack.upstream.received.length).toBe(asked);
      }
    });

    it('continues a key’s own response, reserving for the context it reads again', async () => {
      const { user, client } = await keyedClient(1000);
      const first = await client.responses.create({ model, input, instructions });
      await onlyCharge(user);
      const next = await client.responses.create({
        model,
        input,
        instructions,
        previous_response_id: first.id,
      });
      expect(stack.upstream.received.at(-1)?.body).toMatchObject({
        previous_response_id: first.id,
      });
      expect(next.previous_response_id).toBe(first.id);

      // The first response's 30 + 28 tokens are read again (5.8 credits more reserved): a user
      // who covers the new call alone, but not with that context, is refused (the limit named:
      // without one, the gateway would send the output the user can afford).
      const fresh = Math.ceil((promptTokens() * 100_000 + DEFAULT_MAX_TOKENS * 300_000) / 1e6);
      const { client: thin } = await keyedClient(fresh + 9 + 2);
      const limited = { model, input, instructions, max_output_tokens: DEFAULT_MAX_TOKENS };
      const own = await thin.responses.create(limited);
      await expect(
        thin.responses.create({ ...limited, previous_response_id: own.id }),
      ).rejects.toMatchObject({ status: 402 });
      await thin.responses.create(limited);
    });

    it('answers an id no response can have with 404 (path) or 400 naming it (body), not 500', async () => {
      const { key } = await stack.newKey(await stack.fundedUser(1000));
      const headers = { authorization: `Bearer ${key}` };
      const read = await call('GET', `${stack.gateway.url}/v1/responses/${'x'.repeat(300)}`, {
        as: 'none',
        headers,
      });
      expect(read.status).toBe(404);
      const continued = await call('POST', `${stack.gateway.url}/v1/responses`, {
        as: 'none',
        headers,
        body: { model, input, previous_response_id: 'a\u0000b' },
      });
      expect(continued.status).toBe(400);
      expect(JSON.stringify(continued.body)).toContain('previous_response_id:');
    });

    it('does not record a response the client asked not to store', async () => {
      const { client } = await keyedClient(1000);
      const created = await client.responses.create({ model, input, store: false });
      await expect(client.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
      // Refused by the gateway, which has no record of it: the upstream is not asked.
      expect(stack.upstream.received.at(-1)?.path).toBe('/v1/responses');
    });
  });

  it('stops a stream that runs past the credits at the last slice, and charges what the client got', async () => {
    // Output text, 2 tokens every 5 ms, for ever, whatever max_output_tokens says.
    const runaway = await stack.addModel(
      { chunks: ['abcdefgh'], usage: null, endless: true, chunkDelayMs: 5 },
      ONE_A_TOKEN,
    );
    const reservation = promptTokens() + 20;
    const { user, client } = await keyedClient(reservation + SLICE / 2);
    const { items: events, failure } = await drain(
      await client.responses.create({
        model: runaway,
        input,
        instructions,
        max_output_tokens: 20,
        stream: true,
      }),
      2000,
    );
    expect(failure).toMatchObject({ code: 'insufficient_credits' });
    expect(events.some((e) => e.type === 'response.completed')).toBe(false);
    const text = events
      .filter((e): e is OpenAI.Responses.ResponseTextDeltaEvent => e.type.endsWith('.delta'))
      .map((e) => e.delta)
      .join('');
    const charge = await onlyCharge(user);
    expect(charge.metadata).toMatchObject({
      finish: 'insufficient_credits',
      usage_source: 'estimated',
    });
    const output = (charge.pricing as { usage: { output_tokens: number } }).usage.output_tokens;
    expect(output).toBe(Math.ceil(Buffer.byteLength(text) / 4));
    // Cut at what was covered: the 20 reserved (the next slice was not), never past them.
    expect(output).toBe(20);
    expect(-charge.amount).toBeLessThanOrEqual(reservation + SLICE);
    expect(await liveReservations(user)).toEqual([]);
  });

  it('charges a client that leaves mid-stream for what it was sent', async () => {
    const slow = await stack.addModel(
      { chunks: ['abcd', 'efgh', 'ijkl', 'mnop'], usage: null, chunkDelayMs: 150 },
      ONE_A_TOKEN,
    );
    const { user, client } = await keyedClient(1000);
    const { failure } = await drain(
      await client.responses.create({ model: slow, input, instructions, stream: true }),
      6, // created, in_progress, item added, part added, 2 deltas
    );
    expect(failure).toBeUndefined();
    const charge = await onlyCharge(user);
    expect(charge.metadata).toMatchObject({ finish: 'client_disconnected', stream: true });
    const output = (charge.pricing as { usage: { output_tokens: number } }).usage.output_tokens;
    expect(output).toBeGreaterThanOrEqual(2);
    expect(output).toBeLessThan(4);
    expect(await liveReservations(user)).toEqual([]);
  });

  it('serves 100 parallel calls on credits for 10 with at most one call’s worth of overspend', async () => {
    // 10 input + 20 output tokens at one credit each: 30 a call, within its reservation.
    const exact = await stack.addModel(
      { chunks: ['ok'], usage: { prompt_tokens: 10, completion_tokens: 20 }, chunkDelayMs: 20 },
      ONE_A_TOKEN,
    );
    const { user, client } = await keyedClient(300);
    const answers = await Promise.allSettled(
      Array.from({ length: 100 }, () =>
        client.responses.create({ model: exact, input, instructions, max_output_tokens: 20 }),
      ),
    );
    const { served, refused } = servedAndRefused(answers, 402);
    expect(served + refused).toBe(100);
    expect(served).toBeGreaterThanOrEqual(1);
    expect(served).toBeLessThanOrEqual(11);
    await eventually(async () => {
      expect(await stack.ledgerCharges(user)).toHaveLength(served);
    });
    expect(await stack.balance(user)).toBe(300 - 30 * served);
    expect(await stack.balance(user)).toBeGreaterThanOrEqual(-30);
  });

  it('passes an upstream 500 on and charges nothing', async () => {
    const failing = await stack.addModel({ chunks: [], usage: null, failWith: 500 }, ONE_A_TOKEN);
    const { user, client } = await keyedClient(1000);
    for (const stream of [false, true]) {
      await expect(
        client.responses.create({ model: failing, input, stream }),
      ).rejects.toMatchObject({ status: 500 });
    }
    expect(await gatewayCharges(user)).toEqual([]);
    expect(await liveReservations(user)).toEqual([]);
  });

  it('refuses a model with only an embedding price as not found', async () => {
    const embedder = await stack.addModel(
      { chunks: [], usage: { prompt_tokens: 3, completion_tokens: 0 } },
      { input: '1000000', output: '0' },
      undefined,
      'embedding',
    );
    const { client } = await keyedClient(1000);
    await expect(client.responses.create({ model: embedder, input })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
  });

  it('answers 401 without a key', async () => {
    const answer = await call('POST', `${stack.gateway.url}/v1/responses`, {
      as: 'none',
      body: { model, input },
    });
    expect(answer.status).toBe(401);
  });
});
