import type OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { ChatStack } from './support/chat-stack';
import { servedAndRefused } from './support/client-calls';
import { eventually } from './support/wait';

// 0.1 credit an input token; embeddings produce no output tokens (a rule still names a price).
const PRICES = { input: '100000', output: '0' };
const texts = ['the ledger', 'keeps every credit'];

describe('POST /v1/embeddings with the official openai client', () => {
  const stack = new ChatStack();
  let db: DataSource;
  let model: string;

  beforeAll(async () => {
    await stack.start();
    db = stack.gateway.app.get(DataSource);
    // 42 prompt tokens at 0.1 = 4.2, charged 5.
    model = await stack.addModel(
      { chunks: [], usage: { prompt_tokens: 42, completion_tokens: 0 }, dimensions: 4 },
      PRICES,
      undefined,
      'embedding',
    );
  });
  afterAll(() => stack.stop());

  const gatewayCharges = (user: string) =>
    db.query<{ amount: string }[]>(`SELECT amount FROM charges WHERE user_id = $1`, [user]);

  async function keyedClient(credits: number): Promise<{ user: string; client: OpenAI }> {
    const user = await stack.fundedUser(credits);
    return { user, client: stack.client((await stack.newKey(user)).key) };
  }

  it('answers the upstream’s vectors and charges usage.prompt_tokens as input by the embedding rule', async () => {
    const { user, client } = await keyedClient(100);

    const viaGateway = await client.embeddings.create({ model, input: texts });
    const direct = await stack.directClient().embeddings.create({ model, input: texts });
    expect(viaGateway).toEqual(direct);
    expect(viaGateway.data).toHaveLength(2);
    expect(Array.from(viaGateway.data[1].embedding)).toEqual([2 / 64, 4 / 64, 6 / 64, 8 / 64]);
    // The official client asks for base64 (and decodes it); the gateway passes that on.
    expect(stack.upstream.received.at(-2)).toMatchObject({
      path: '/v1/embeddings',
      authorization: 'Bearer upstream-secret',
      body: { encoding_format: 'base64', input: texts },
    });

    const [charge] = await eventually(async () => {
      const charges = await stack.ledgerCharges(user);
      expect(charges).toHaveLength(1);
      return charges;
    });
    expect(charge).toMatchObject({ source: 'embedding', amount: -5, balance_after: 95 });
    expect(charge.pricing).toMatchObject({
      model,
      usage: { input_tokens: 42, output_tokens: 0 },
    });
    expect(charge.metadata).toMatchObject({ usage_source: 'upstream', stream: false });
  });

  it('passes float vectors on as asked', async () => {
    const { client } = await keyedClient(100);
    const answer = await client.embeddings.create({
      model,
      input: 'one',
      encoding_format: 'float',
    });
    expect(answer.data[0].embedding).toEqual([1 / 64, 2 / 64, 3 / 64, 4 / 64]);
  });

  it('lists embedding models in /v1/models', async () => {
    const { client } = await keyedClient(0);
    const ids: string[] = [];
    for await (const listed of client.models.list()) ids.push(listed.id);
    expect(ids).toContain(model);
  });

  it('prices only by scene embedding: a chat model is not found here, and this one not for chat', async () => {
    const chatModel = await stack.addModel(
      { chunks: ['x'], usage: { prompt_tokens: 1, completion_tokens: 1 } },
      { input: '100000', output: '100000' },
    );
    const { client } = await keyedClient(100);
    await expect(client.embeddings.create({ model: chatModel, input: 'x' })).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    await expect(
      client.chat.completions.create({ model, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
  });

  it('refuses an unfunded user with 402 in OpenAI’s shape before any upstream call', async () => {
    const { user, client } = await keyedClient(0);
    const before = stack.upstream.received.length;
    await expect(client.embeddings.create({ model, input: texts })).rejects.toMatchObject({
      status: 402,
      code: 'insufficient_credits',
      type: 'insufficient_credits',
    });
    expect(stack.upstream.received.length).toBe(before);
    expect(await gatewayCharges(user)).toEqual([]);
  });

  it('refuses input that is not one with a 400 naming it, writing nothing', async () => {
    const { user, client } = await keyedClient(100);
    const before = stack.upstream.received.length;
    const refusals: [unknown, string][] = [
      ['', 'input: must be a non-empty text'],
      [[], 'input: must be a non-empty text'],
      [['ok', 7], 'input[1]: must be a non-empty text'],
      [{ text: 'x' }, 'input: must be a non-empty text'],
    ];
    for (const [input, reason] of refusals) {
      const refused = await client.embeddings.create({ model, input: input as string }).then(
        () => undefined,
        (error: { status?: number; message?: string }) => error,
      );
      expect(refused?.status).toBe(400);
      expect(refused?.message).toContain(reason);
    }
    expect(stack.upstream.received.length).toBe(before);
    expect(await gatewayCharges(user)).toEqual([]);
  });

  it('charges the estimate from the input when the upstream reports no usage, and says so', async () => {
    const silent = await stack.addModel(
      { chunks: [], usage: null },
      { input: '1000000', output: '0' },
      undefined,
      'embedding',
    );
    const { user, client } = await keyedClient(100);
    // 40 bytes and a list of 3 token ids: 10 + 3 tokens.
    await client.embeddings.create({ model: silent, input: '0123456789'.repeat(4) });
    await client.embeddings.create({ model: silent, input: [[1, 2, 3]] });
    await eventually(async () => {
      const charges = await stack.ledgerCharges(user);
      expect(charges.map((c) => c.amount)).toEqual([-10, -3]);
      expect(charges.map((c) => c.metadata.usage_source)).toEqual(['estimated', 'estimated']);
    });
  });

  it('passes an upstream 500 on and charges nothing', async () => {
    const failing = await stack.addModel(
      { chunks: [], usage: null, failWith: 500 },
      PRICES,
      undefined,
      'embedding',
    );
    const { user, client } = await keyedClient(100);
    await expect(client.embeddings.create({ model: failing, input: 'x' })).rejects.toMatchObject({
      status: 500,
    });
    expect(await gatewayCharges(user)).toEqual([]);
  });

  it('serves 100 parallel calls on credits for 10 with at most one call’s worth of overspend', async () => {
    // 10 tokens estimated and reported, 1 credit each: 10 credits a call.
    const exact = await stack.addModel(
      { chunks: [], usage: { prompt_tokens: 10, completion_tokens: 0 }, chunkDelayMs: 20 },
      { input: '1000000', output: '0' },
      undefined,
      'embedding',
    );
    const { user, client } = await keyedClient(100);
    const answers = await Promise.allSettled(
      Array.from({ length: 100 }, () =>
        client.embeddings.create({ model: exact, input: '0123456789'.repeat(4) }),
      ),
    );
    const { served, refused } = servedAndRefused(answers, 402);
    expect(served + refused).toBe(100);
    expect(served).toBeGreaterThanOrEqual(1);
    expect(served).toBeLessThanOrEqual(11);
    await eventually(async () => {
      expect(await stack.ledgerCharges(user)).toHaveLength(served);
    });
    expect(await stack.balance(user)).toBe(100 - 10 * served);
    expect(await stack.balance(user)).toBeGreaterThanOrEqual(-10);
  });
});
