import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { startGateway } from './support/apps';
import { ChatStack } from './support/chat-stack';
import { call } from './support/http';
import { eventually, unique } from './support/wait';

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'Say hello to the ledger.' },
];
// 0.1 credit per input token and 0.2 per output token.
const PRICES = { input: '100000', output: '200000' };

async function collect(stream: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletionChunk[]> {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('POST /v1/chat/completions with the official openai client', () => {
  const stack = new ChatStack();
  let model: string;

  beforeAll(async () => {
    await stack.start({ UPSTREAM_TIMEOUT_MS: '1000' });
    // 30 prompt + 20 completion tokens: 3 + 4 = exactly 7 credits.
    model = await stack.addModel(
      {
        chunks: ['Hello', ', ', 'ledger', '!'],
        usage: { prompt_tokens: 30, completion_tokens: 20 },
      },
      PRICES,
    );
  });
  afterAll(() => stack.stop());

  it('answers exactly what the upstream answers, and the ledger charges the exact price', async () => {
    const user = await stack.fundedUser(1000);
    const { key } = await stack.newKey(user);

    const viaGateway = await stack.client(key).chat.completions.create({ model, messages });
    const direct = await stack.directClient().chat.completions.create({ model, messages });
    expect({ ...viaGateway, id: 'x' }).toEqual({ ...direct, id: 'x' });
    expect(viaGateway.choices[0].message.content).toBe('Hello, ledger!');

    const [charge] = await eventually(async () => {
      const charges = await stack.ledgerCharges(user);
      expect(charges).toHaveLength(1);
      return charges;
    });
    expect(charge).toMatchObject({ source: 'chat', amount: -7, balance_after: 993 });
    expect(charge.source_ref_id).toBe(viaGateway.id);
    expect(charge.pricing).toMatchObject({
      mode: 'tokens',
      model,
      provider: 'openai',
      usage: { input_tokens: 30, output_tokens: 20 },
    });
    expect(charge.metadata).toMatchObject({ usage_source: 'upstream', stream: false });
    // The upstream got the gateway's key, never the client's.
    expect(stack.upstream.received.at(-2)?.authorization).toBe('Bearer upstream-secret');
  });

  it('streams chunk for chunk what the upstream streams, usage chunk included, and charges it', async () => {
    const user = await stack.fundedUser(1000);
    const { key } = await stack.newKey(user);
    const request = {
      model,
      messages,
      stream: true as const,
      stream_options: { include_usage: true },
    };

    const viaGateway = await collect(await stack.client(key).chat.completions.create(request));
    const direct = await collect(await stack.directClient().chat.completions.create(request));
    const withoutIds = (chunks: ChatCompletionChunk[]) => chunks.map((c) => ({ ...c, id: 'x' }));
    expect(withoutIds(viaGateway)).toEqual(withoutIds(direct));
    expect(viaGateway.at(-1)?.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 20 });

    await eventually(async () => {
      expect((await stack.ledgerCharges(user)).map((c) => c.amount)).toEqual([-7]);
    });
  });

  it('asks the upstream for usage on a stream whose client did not, and keeps that chunk to itself', async () => {
    const user = await stack.fundedUser(1000);
    const { key } = await stack.newKey(user);
    const request = { model, messages, stream: true as const };

    const viaGateway = await collect(await stack.client(key).chat.completions.create(request));
    expect(stack.upstream.received.at(-1)?.body.stream_options).toEqual({ include_usage: true });
    const direct = await collect(await stack.directClient().chat.completions.create(request));
    expect(viaGateway.map((c) => ({ ...c, id: 'x' }))).toEqual(
      direct.map((c) => ({ ...c, id: 'x' })),
    );
    expect(viaGateway.some((c) => c.usage)).toBe(false);

    await eventually(async () => {
      const [charge] = await stack.ledgerCharges(user);
      expect(charge).toMatchObject({
        amount: -7,
        metadata: { usage_source: 'upstream', stream: true },
      });
    });
  });

  it('counts the output itself when the upstream reports no usage, and says so', async () => {
    // 40 bytes of output = 10 tokens estimated.
    const silent = await stack.addModel({ chunks: ['0123456789'.repeat(4)], usage: null }, PRICES);
    const user = await stack.fundedUser(1000);
    const { key } = await stack.newKey(user);

    await collect(
      await stack.client(key).chat.completions.create({ model: silent, messages, stream: true }),
    );

    const [charge] = await eventually(async () => {
      const charges = await stack.ledgerCharges(user);
      expect(charges).toHaveLength(1);
      return charges;
    });
    expect(charge.metadata).toMatchObject({ usage_source: 'estimated', finish: 'completed' });
    const usage = (charge.pricing as { usage: { input_tokens: number; output_tokens: number } })
      .usage;
    expect(usage.output_tokens).toBe(10);
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(-charge.amount).toBe(Math.ceil(usage.input_tokens * 0.1 + usage.output_tokens * 0.2));
  });

  it('lists the priced models in OpenAI format', async () => {
    const user = await stack.fundedUser(0);
    const { key } = await stack.newKey(user);
    const ids: string[] = [];
    for await (const listed of stack.client(key).models.list()) {
      expect(listed).toMatchObject({ object: 'model', owned_by: 'openai' });
      ids.push(listed.id);
    }
    expect(ids).toContain(model);
  });

  describe('API keys', () => {
    it('shows a key once, lists it without the secret, and refuses it once revoked', async () => {
      const user = await stack.fundedUser(100);
      const { id, key } = await stack.newKey(user);
      expect(key).toMatch(/^tly_/);

      const listed = await call<Record<string, unknown>[]>(
        'GET',
        `${stack.gateway.url}/admin/api-keys?user_id=${user}`,
      );
      expect(listed.body).toHaveLength(1);
      expect(listed.body[0]).toMatchObject({ id, user_id: user, revoked_at: null });
      expect(JSON.stringify(listed.body)).not.toContain(key);
      expect(JSON.stringify(listed.body)).not.toContain(key.slice(12));

      const client = stack.client(key);
      await expect(
        client.chat.completions.create({ model, messages, max_tokens: 5 }),
      ).resolves.toBeDefined();
      expect((await call('POST', `${stack.gateway.url}/admin/api-keys/${id}/revoke`)).status).toBe(
        201,
      );
      await expect(client.chat.completions.create({ model, messages })).rejects.toMatchObject({
        status: 401,
        code: 'unauthorized',
      });
    });

    it('refuses an unknown key, a missing one and a service token with 401', async () => {
      const unknownKey = `tly_${'A'.repeat(32)}`;
      await expect(
        stack.client(unknownKey).chat.completions.create({ model, messages }),
      ).rejects.toMatchObject({
        status: 401,
        error: { code: 'unauthorized', type: 'authentication_error' },
      });
      for (const as of ['none', 'internal', 'admin'] as const) {
        const answer = await call('POST', `${stack.gateway.url}/v1/chat/completions`, {
          as,
          body: { model, messages },
        });
        expect(answer.status).toBe(401);
      }
    });

    it('issues keys only to the admin token', async () => {
      const answer = await call('POST', `${stack.gateway.url}/admin/api-keys`, {
        as: 'internal',
        body: { user_id: 'u1' },
      });
      expect(answer.status).toBe(403);
    });
  });

  describe('when the upstream fails', () => {
    async function expectNothingCharged(user: string): Promise<void> {
      // A later successful call is charged alone: the failed ones left no charge and no reservation.
      const view = await stack.guardView(user);
      expect(view).toMatchObject({ reserved: 0, unreflected: 0 });
      expect(await stack.ledgerCharges(user)).toEqual([]);
    }

    it('passes a 500 on with its body and charges nothing', async () => {
      const broken = await stack.addModel({ chunks: [], usage: null, failWith: 500 }, PRICES);
      const user = await stack.fundedUser(1000);
      const client = stack.client((await stack.newKey(user)).key);
      for (const stream of [false, true]) {
        await expect(
          client.chat.completions.create({ model: broken, messages, stream }),
        ).rejects.toMatchObject({
          status: 500,
          error: { message: 'the fake upstream failed on purpose' },
        });
      }
      await expectNothingCharged(user);
    });

    it('answers 504 upstream_timeout when the upstream does not answer in time', async () => {
      const hanging = await stack.addModel({ chunks: [], usage: null, hang: true }, PRICES);
      const user = await stack.fundedUser(1000);
      const client = stack.client((await stack.newKey(user)).key);
      await expect(
        client.chat.completions.create({ model: hanging, messages }),
      ).rejects.toMatchObject({
        status: 504,
        code: 'upstream_timeout',
      });
      await expectNothingCharged(user);
    });

    it('answers 502 upstream_error when the upstream refuses connections', async () => {
      const user = await stack.fundedUser(1000);
      const client = stack.client((await stack.newKey(user)).key);
      // The dead-* models go to an upstream on a closed port (see UPSTREAMS of the second gateway).
      const dead = await stack.addModel({ chunks: [], usage: null }, PRICES, unique('dead'));
      const gateway2 = await startGateway({
        CREDIT_STORE_URL: stack.store.url,
        UPSTREAMS: JSON.stringify([
          { provider: 'openai', base_url: 'http://127.0.0.1:9/v1', models: ['dead-*'] },
        ]),
      });
      try {
        const viaDead = new OpenAI({
          apiKey: client.apiKey,
          baseURL: `${gateway2.url}/v1`,
          maxRetries: 0,
        });
        await eventually(async () => {
          // Both gateways share one database, so one balance view.
          expect(
            (
              await call<{ balance: number }>('GET', `${gateway2.url}/internal/balances/${user}`, {
                as: 'internal',
              })
            ).body.balance,
          ).toBe(1000);
        });
        await expect(
          viaDead.chat.completions.create({ model: dead, messages }),
        ).rejects.toMatchObject({
          status: 502,
          code: 'upstream_error',
        });
        await expect(viaDead.chat.completions.create({ model, messages })).rejects.toMatchObject({
          status: 404,
          code: 'model_not_found',
        });
      } finally {
        await gateway2.close();
      }
      await expectNothingCharged(user);
    });
  });

  it('refuses a model that is not priced with 404 model_not_found, and bad input with 400', async () => {
    const user = await stack.fundedUser(100);
    const client = stack.client((await stack.newKey(user)).key);
    await expect(
      client.chat.completions.create({ model: unique('unpriced'), messages }),
    ).rejects.toMatchObject({
      status: 404,
      code: 'model_not_found',
    });
    await expect(client.chat.completions.create({ model, messages: [] })).rejects.toMatchObject({
      status: 400,
      code: 'validation_failed',
    });
    await expect(
      client.chat.completions.create({ model, messages, max_tokens: -1 }),
    ).rejects.toMatchObject({
      status: 400,
      error: { message: 'max_tokens: must be a positive integer' },
    });
  });

  it('refuses bad input on the key and balance endpoints with a 4xx and writes nothing', async () => {
    const keys = `${stack.gateway.url}/admin/api-keys`;
    const cases: [string, string, unknown, number][] = [
      ['POST', keys, { user_id: 'has space' }, 400],
      ['POST', keys, { user_id: 'x'.repeat(300) }, 400],
      ['POST', keys, { user_id: 'u1', extra: true }, 400],
      ['POST', keys, '{"user_id":', 400],
      ['POST', `${keys}/not-a-uuid/revoke`, undefined, 400],
      ['POST', `${keys}/0190a4e2-0000-7000-8000-000000000000/revoke`, undefined, 404],
      ['GET', `${stack.gateway.url}/internal/balances/has%20space`, undefined, 400],
    ];
    for (const [method, url, body, status] of cases) {
      const answer = await call(method, url, {
        body,
        as: url.includes('/internal/') ? 'internal' : 'admin',
      });
      expect([url, answer.status]).toEqual([url, status]);
    }
    const listed = await call<unknown[]>('GET', `${keys}?user_id=u1`);
    expect(listed.body).toEqual([]);
  });

  it('refuses a chat body over the size limit (413) or not JSON (400) before any upstream call', async () => {
    const user = await stack.fundedUser(100);
    const { key } = await stack.newKey(user);
    const before = stack.upstream.received.length;
    const url = `${stack.gateway.url}/v1/chat/completions`;
    const headers = { authorization: `Bearer ${key}` };
    const huge = { model, messages: [{ role: 'user', content: 'x'.repeat(3 * 1024 * 1024) }] };
    // In OpenAI's error shape, like every error of /v1, even those raised before routing.
    expect(await call('POST', url, { as: 'none', headers, body: huge })).toMatchObject({
      status: 413,
      body: { error: { code: 'payload_too_large', type: 'invalid_request_error' } },
    });
    expect(await call('POST', url, { as: 'none', headers, body: '{"model":' })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_json', message: 'request body is not valid JSON' } },
    });
    expect(stack.upstream.received.length).toBe(before);
  });

  it('sends the first chunk on before the upstream has finished (time to first byte)', async () => {
    const slow = await stack.addModel(
      {
        chunks: Array.from({ length: 10 }, (_, i) => `part ${i} `),
        usage: { prompt_tokens: 5, completion_tokens: 10 },
        chunkDelayMs: 100,
      },
      PRICES,
    );
    const user = await stack.fundedUser(1000);
    const key = (await stack.newKey(user)).key;
    async function timings(client: OpenAI) {
      const start = performance.now();
      let first = 0;
      for await (const chunk of await client.chat.completions.create({
        model: slow,
        messages,
        stream: true,
      })) {
        if (chunk.choices[0]?.delta.content && !first) first = performance.now() - start;
      }
      return { first, total: performance.now() - start };
    }
    const direct = await timings(stack.directClient());
    const viaGateway = await timings(stack.client(key));
    console.log(
      `TTFB of the first content chunk: direct ${direct.first.toFixed(1)} ms, via gateway ${viaGateway.first.toFixed(1)} ms; whole stream ${direct.total.toFixed(0)} / ${viaGateway.total.toFixed(0)} ms`,
    );
    // The first content comes after one chunk delay (100 ms) and long before the tenth (1,000 ms).
    expect(viaGateway.first).toBeLessThan(viaGateway.total / 3);
    expect(viaGateway.total).toBeGreaterThan(900);
  });
});
