import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { DataSource } from 'typeorm';
import type { FakeBehaviour } from '../tools/fake-upstream/fake-behaviour';
import type { FakeModel } from '../tools/fake-upstream/fake-upstream';
import type { RunningApp } from './support/apps';
import { ChatStack } from './support/chat-stack';
import { drain } from './support/client-calls';
import { call } from './support/http';
import { eventually, unique } from './support/wait';

const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Route me.' }];
const ANSWER: FakeModel = {
  chunks: ['Hello', ' from', ' a', ' deployment'],
  usage: { prompt_tokens: 10, completion_tokens: 20 },
};
// Per token: alpha's deployments 1 credit in and out (30 a call), beta's 1 in and 2 out (50).
const ALPHA = { provider: 'alpha', input: '1000000', output: '1000000' };
const BETA = { provider: 'beta', input: '1000000', output: '2000000' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');

/**
 * Deployments, retries and fallbacks before the first byte, cooldowns, and the output limit a
 * user can afford. One fake upstream process plays every deployment: `…/<instance>/v1` is an
 * instance with a behaviour of its own (tools/fake-upstream/fake-behaviour.ts).
 */
describe('routing a call across deployments', () => {
  const stack = new ChatStack();
  const at = (url: string, instance: string) => url.replace(/\/v1$/, `/${instance}/v1`);
  let probe: OpenAI;
  let db: DataSource;

  beforeAll(async () => {
    await stack.start((url) => ({
      UPSTREAMS: JSON.stringify([
        {
          id: 'front',
          provider: 'alpha',
          base_url: at(url, 'front'),
          models: ['r-*'],
          timeout_ms: 1500, // ample for a loaded machine, short for a test
        },
        { id: 'back', provider: 'beta', base_url: at(url, 'back'), models: ['r-*'], priority: 1 },
        { id: 'solo', provider: 'alpha', base_url: at(url, 'solo'), models: ['s-*'] },
        { id: 'half', provider: 'alpha', base_url: at(url, 'half'), models: ['p-*'] },
        { id: 'whole', provider: 'alpha', base_url: at(url, 'whole'), models: ['p-*'] },
        { id: 'gone', provider: 'alpha', base_url: at(url, 'gone'), models: ['x-gpt'] },
        {
          id: 'claude',
          provider: 'anthropic',
          api: 'anthropic',
          base_url: at(url, 'claude'),
          models: ['x-claude'],
        },
      ]),
      MODEL_FALLBACKS: JSON.stringify({ 'x-gpt': ['x-claude'] }),
      // No cooldown here: every call below meets the failing deployment first.
      UPSTREAM_COOLDOWN_FAILURES: '1000',
    }));
    probe = stack.client((await stack.newKey(unique('probe'))).key);
    db = stack.gateway.app.get(DataSource);
  });
  afterAll(() => stack.stop());
  beforeEach(() => stack.upstream.behaviours.clear());

  /** A model the fake serves, priced by one rule per provider given (none: one for every provider). */
  async function model(
    prefix: string,
    rules: { provider?: string; input: string; output: string }[],
    fake: FakeModel = ANSWER,
  ): Promise<string> {
    const name = unique(prefix);
    stack.upstream.models.set(name, fake);
    for (const rule of rules) {
      const created = await call('POST', `${stack.store.url}/admin/price-rules`, {
        body: {
          scene: 'chat',
          provider: rule.provider,
          model: name,
          mode: 'tokens',
          input_per_million: rule.input,
          output_per_million: rule.output,
        },
      });
      expect(created.status).toBe(201);
    }
    await eventually(async () => {
      const { data } = await probe.models.list();
      expect(data.map((m) => m.id)).toContain(name);
    });
    return name;
  }

  async function client(credits: number): Promise<{ user: string; client: OpenAI }> {
    const user = await stack.fundedUser(credits);
    return { user, client: stack.client((await stack.newKey(user)).key) };
  }

  const calls = (instance: string) => stack.upstream.calls.get(instance) ?? 0;
  const fail = (instance: string, behaviour: FakeBehaviour) =>
    stack.upstream.behaviours.set(instance, behaviour);
  const settled = (user: string, count: number) =>
    eventually(async () => {
      const charges = await stack.ledgerCharges(user);
      expect(charges).toHaveLength(count);
      return charges;
    });
  const liveReservations = async (user: string) =>
    (
      await db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM reservations WHERE user_id = $1`,
        [user],
      )
    )[0].n;

  describe.each([
    ['answering 500', { mode: 'fail', status: 500 }],
    ['answering 429 with Retry-After', { mode: 'fail', status: 429, retry_after: 30 }],
    ['hanging past its timeout_ms', { mode: 'hang' }],
  ] as [string, FakeBehaviour][])('a deployment %s in front of a healthy one', (_, behaviour) => {
    it('gives the client the healthy answer, JSON and stream, each charged once at the rule of the deployment that served', async () => {
      const name = await model('r', [ALPHA, BETA]);
      const { user, client: gateway } = await client(1000);
      fail('front', behaviour);
      const [front, back] = [calls('front'), calls('back')];

      const json = await gateway.chat.completions.create({ model: name, messages }).withResponse();
      expect(json.data.choices[0].message.content).toBe('Hello from a deployment');
      expect(json.response.headers.get('x-tally-served-by')).toBe('back');
      const streamed = await gateway.chat.completions
        .create({ model: name, messages, stream: true })
        .withResponse();
      const { items, failure } = await drain(streamed.data);
      expect(failure).toBeUndefined();
      expect(text(items)).toBe('Hello from a deployment');
      expect(streamed.response.headers.get('x-tally-served-by')).toBe('back');

      expect([calls('front') - front, calls('back') - back]).toEqual([2, 2]);
      const charges = await settled(user, 2);
      for (const charge of charges) {
        // Beta's price (10 + 20 × 2), not alpha's (30) nor the failed try's.
        expect(charge).toMatchObject({ amount: -50, pricing: { provider: 'beta', model: name } });
        expect(charge.metadata).toMatchObject({ served_by: 'back', attempts: 2 });
      }
      expect(await stack.balance(user)).toBe(900);
      expect(await liveReservations(user)).toBe(0);
    });
  });

  it('passes any other 4xx through at once, and charges nothing', async () => {
    const name = await model('r', [ALPHA, BETA]);
    const { user, client: gateway } = await client(1000);
    fail('front', { mode: 'fail', status: 400 });
    const back = calls('back');
    await expect(gateway.chat.completions.create({ model: name, messages })).rejects.toMatchObject({
      status: 400,
    });
    expect(calls('back')).toBe(back);
    expect(await liveReservations(user)).toBe(0);
    expect(await db.query(`SELECT 1 FROM charges WHERE user_id = $1`, [user])).toEqual([]);
  });

  it('gives the last failure when every try failed (UPSTREAM_MAX_ATTEMPTS = 3), and charges nothing', async () => {
    const name = await model('r', [ALPHA, BETA]);
    const { user, client: gateway } = await client(1000);
    fail('front', { mode: 'fail', status: 503 });
    fail('back', { mode: 'fail', status: 500 });
    const [front, back] = [calls('front'), calls('back')];
    await expect(gateway.chat.completions.create({ model: name, messages })).rejects.toMatchObject({
      status: 503,
    });
    // front, back, then front again.
    expect([calls('front') - front, calls('back') - back]).toEqual([2, 1]);
    expect(await liveReservations(user)).toBe(0);
    expect(await db.query(`SELECT 1 FROM charges WHERE user_id = $1`, [user])).toEqual([]);
  });

  it('waits for Retry-After before trying the same deployment again', async () => {
    const name = await model('s', [ALPHA]);
    const { user, client: gateway } = await client(1000);
    stack.upstream.calls.set('solo', 0);
    fail('solo', { mode: 'flaky', status: 429, retry_after: 1 });
    const started = Date.now();
    const { response } = await gateway.chat.completions
      .create({ model: name, messages })
      .withResponse();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(response.headers.get('x-tally-served-by')).toBe('solo');
    expect(calls('solo')).toBe(2);
    const [charge] = await settled(user, 1);
    expect(charge).toMatchObject({ amount: -30, metadata: { served_by: 'solo', attempts: 2 } });
  });

  it('never retries once the stream has begun: the client gets what came and an error, charged once for it', async () => {
    const name = await model('r', [ALPHA, BETA]);
    const { user, client: gateway } = await client(1000);
    fail('front', { mode: 'break' });
    const back = calls('back');
    const streamed = await gateway.chat.completions
      .create({ model: name, messages, stream: true })
      .withResponse();
    const { items, failure } = await drain(streamed.data);
    expect(text(items)).toBe('Hello');
    expect(failure).toBeDefined();
    expect(streamed.response.headers.get('x-tally-served-by')).toBe('front');
    expect(calls('back')).toBe(back);
    const [charge] = await settled(user, 1);
    // 'Hello' is 2 tokens counted (4 bytes a token) at alpha's price, with the 10-token prompt
    // estimated by the gateway: a small charge, and only one.
    expect(charge.pricing).toMatchObject({ provider: 'alpha' });
    expect(charge.metadata).toMatchObject({
      served_by: 'front',
      attempts: 1,
      finish: 'upstream_failed',
    });
    expect(await liveReservations(user)).toBe(0);
  });

  describe('cooldown', () => {
    let gateway: RunningApp;
    beforeAll(async () => {
      gateway = await stack.gatewayWith({
        UPSTREAMS: JSON.stringify([
          { id: 'cf', provider: 'alpha', base_url: at(stack.upstream.url, 'cf'), models: ['c-*'] },
          {
            id: 'cb',
            provider: 'alpha',
            base_url: at(stack.upstream.url, 'cb'),
            models: ['c-*'],
            priority: 1,
          },
        ]),
        UPSTREAM_COOLDOWN_FAILURES: '3',
        UPSTREAM_COOLDOWN_SECONDS: '5',
      });
    });
    afterAll(() => gateway?.close());

    it('skips a deployment for the cooldown after 3 failures, then lets one call try it', async () => {
      const name = await model('c', [{ input: '1000000', output: '1000000' }]);
      const user = await stack.fundedUser(10_000);
      const client = stack.client((await stack.newKey(user)).key, gateway);
      const ask = async () =>
        (
          await client.chat.completions.create({ model: name, messages }).withResponse()
        ).response.headers.get('x-tally-served-by');
      fail('cf', { mode: 'fail', status: 500 });
      stack.upstream.calls.set('cf', 0);

      for (let i = 0; i < 3; i++) expect(await ask()).toBe('cb');
      expect(calls('cf')).toBe(3);
      for (let i = 0; i < 3; i++) expect(await ask()).toBe('cb');
      expect(calls('cf')).toBe(3);
      const { body } = await call<{ items: Record<string, unknown>[] }>(
        'GET',
        `${gateway.url}/admin/upstreams`,
      );
      expect(body.items).toEqual([
        expect.objectContaining({
          id: 'cf',
          state: 'cooling',
          cooling_until: expect.any(String) as unknown,
          last_minute: expect.objectContaining({ calls: 3, failures: 3 }) as unknown,
          in_flight: 0,
        }),
        expect.objectContaining({
          id: 'cb',
          state: 'ok',
          last_minute: expect.objectContaining({ calls: 6, failures: 0 }) as unknown,
        }),
        // The default upstream (UPSTREAM_BASE_URL), for the models no entry lists.
        expect.objectContaining({ id: 'openai', models: ['*'] }),
      ]);

      await sleep(5100);
      expect(await ask()).toBe('cb'); // the one call that tried cf again, which failed again
      expect(await ask()).toBe('cb');
      expect(calls('cf')).toBe(4);

      fail('cf', { mode: 'ok' });
      await sleep(5100);
      expect(await ask()).toBe('cf');
      expect(await ask()).toBe('cf');
      expect(calls('cf')).toBe(6);
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(metrics).toMatch(
        /tally_upstream_attempt_seconds_count\{deployment="cf",outcome="5xx"\} 4/,
      );
      await settled(user, 10);
    });
  });

  describe('a model fallback across APIs', () => {
    // The Anthropic deployment's rule: 1 credit in, 3 out (70 a call); alpha's would be 30.
    const ANTHROPIC = { provider: 'anthropic', input: '1000000', output: '3000000' };
    let gateway: OpenAI;
    let user: string;

    beforeAll(async () => {
      for (const [name, rule] of [
        ['x-gpt', ALPHA],
        ['x-claude', ANTHROPIC],
      ] as const) {
        stack.upstream.models.set(name, ANSWER);
        const created = await call('POST', `${stack.store.url}/admin/price-rules`, {
          body: {
            scene: 'chat',
            provider: rule.provider,
            model: name,
            mode: 'tokens',
            input_per_million: rule.input,
            output_per_million: rule.output,
          },
        });
        expect(created.status).toBe(201);
      }
      await eventually(async () => {
        const { data } = await probe.models.list();
        expect(data.map((m) => m.id)).toEqual(expect.arrayContaining(['x-gpt', 'x-claude']));
      });
      ({ user, client: gateway } = await client(1000));
    });

    const sentToClaude = () =>
      stack.upstream.received.filter(
        (r) => r.path === '/v1/messages' && r.body.model === 'x-claude',
      );

    it("serves an OpenAI-SDK call from the fallback's Anthropic deployment when the asked model's only deployment fails, JSON and stream, priced by the fallback's own rule", async () => {
      fail('gone', { mode: 'fail', status: 503 });
      const [gone, claude] = [calls('gone'), calls('claude')];

      const json = await gateway.chat.completions
        .create({ model: 'x-gpt', messages })
        .withResponse();
      expect(json.data).toMatchObject({ object: 'chat.completion', model: 'x-claude' });
      expect(json.data.choices[0]).toMatchObject({
        message: { role: 'assistant', content: 'Hello from a deployment' },
        finish_reason: 'stop',
      });
      expect(json.data.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 20 });
      expect(json.response.headers.get('x-tally-served-by')).toBe('claude');
      // Sent in Anthropic's API, with the output limit the user could afford.
      const afforded = Number(json.response.headers.get('x-tally-max-output-tokens'));
      expect(afforded).toBeGreaterThanOrEqual(256);
      expect(sentToClaude().at(-1)?.body).toMatchObject({
        model: 'x-claude',
        max_tokens: afforded,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Route me.' }] }],
      });

      const streamed = await gateway.chat.completions
        .create({
          model: 'x-gpt',
          messages,
          max_tokens: 100,
          stream: true,
          stream_options: { include_usage: true },
        })
        .withResponse();
      const { items, failure } = await drain(streamed.data);
      expect(failure).toBeUndefined();
      expect(items.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
      expect(text(items)).toBe('Hello from a deployment');
      expect(items.at(-1)?.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 20 });
      expect(streamed.response.headers.get('x-tally-served-by')).toBe('claude');
      expect(sentToClaude().at(-1)?.body).toMatchObject({ max_tokens: 100, stream: true });

      expect([calls('gone') - gone, calls('claude') - claude]).toEqual([2, 2]);
      const charges = await settled(user, 2);
      for (const charge of charges) {
        // The fallback's rule at the Anthropic deployment's provider: 10 + 20 × 3.
        expect(charge).toMatchObject({
          amount: -70,
          pricing: { provider: 'anthropic', model: 'x-claude' },
        });
        expect(charge.metadata).toMatchObject({
          served_by: 'claude',
          attempts: 2,
          api: 'anthropic',
          client_api: 'openai',
        });
      }
      expect(await stack.balance(user)).toBe(860);
      expect(await liveReservations(user)).toBe(0);
    });

    it('checks translation against the whole chain before any call: the Anthropic fallback is left out, or the call refused naming the field', async () => {
      const { user: refused, client: refusedClient } = await client(1000);
      fail('gone', { mode: 'fail', status: 503 });
      const [gone, claude] = [calls('gone'), calls('claude')];
      // `seed` has no Anthropic equivalent: x-gpt keeps its own deployment, the fallback is dropped.
      await expect(
        refusedClient.chat.completions.create({ model: 'x-gpt', messages, seed: 7 }),
      ).rejects.toMatchObject({ status: 503 });
      // x-claude has no deployment that takes it untranslated: 400 naming the field.
      await expect(
        refusedClient.chat.completions.create({ model: 'x-claude', messages, seed: 7 }),
      ).rejects.toMatchObject({ status: 400, message: expect.stringContaining('seed') as unknown });
      // Three tries at x-gpt's own deployment (UPSTREAM_MAX_ATTEMPTS), none at the Anthropic one.
      expect([calls('gone') - gone, calls('claude') - claude]).toEqual([3, 0]);
      expect(await stack.balance(refused)).toBe(1000);
      expect(await liveReservations(refused)).toBe(0);
    });
  });

  describe('never refusing a user who can afford an answer', () => {
    // 0.3 credit per output token, input free: the output alone decides.
    const CHEAP = [{ input: '0', output: '300000' }];

    it('serves a user with 974 credits and no limit given the 3,246 output tokens 974 credits buy, and says so', async () => {
      const name = await model('r', CHEAP);
      const { user, client: gateway } = await client(974);

      await expect(
        gateway.chat.completions.create({ model: name, messages, max_tokens: 100_000 }),
      ).rejects.toMatchObject({
        status: 402,
        code: 'insufficient_credits',
        message: expect.stringMatching(
          /asks for up to 100000 output tokens; 3246 are affordable/,
        ) as unknown,
      });

      const { data, response } = await gateway.chat.completions
        .create({ model: name, messages })
        .withResponse();
      expect(data.choices[0].message.content).toBe('Hello from a deployment');
      // ceil(3246 × 0.3) = 974; 3,247 would cost 975.
      expect(response.headers.get('x-tally-max-output-tokens')).toBe('3246');
      expect(stack.upstream.received.at(-1)?.body.max_completion_tokens).toBe(3246);
      const [charge] = await settled(user, 1);
      expect(charge.amount).toBe(-6); // 20 output tokens × 0.3
    });

    it('refuses below GUARD_MIN_OUTPUT_TOKENS, naming what it needs and what the credits buy', async () => {
      const name = await model('r', CHEAP);
      const { client: gateway } = await client(50);
      await expect(
        gateway.chat.completions.create({ model: name, messages }),
      ).rejects.toMatchObject({
        status: 402,
        message: expect.stringMatching(
          /needs at least 256 output tokens and 50 credits cover 166/,
        ) as unknown,
      });
    });

    it('keeps the configured limit (no header) for a client that named one it can afford', async () => {
      const name = await model('r', CHEAP);
      const { client: gateway } = await client(974);
      const { response } = await gateway.chat.completions
        .create({ model: name, messages, max_tokens: 100 })
        .withResponse();
      expect(response.headers.get('x-tally-max-output-tokens')).toBeNull();
      expect(stack.upstream.received.at(-1)?.body.max_tokens).toBe(100);
    });
  });

  it('answers 200 concurrent calls while one of two deployments fails half of its calls: each charged once, nothing left reserved', async () => {
    const name = await model('p', [{ input: '1000000', output: '1000000' }]);
    const { user, client: gateway } = await client(100_000);
    fail('half', { mode: 'flaky', status: 500 });
    const before = calls('half') + calls('whole');

    const answers = await Promise.allSettled(
      Array.from({ length: 200 }, async (_, i) => {
        if (i % 2 === 0) {
          const answer = await gateway.chat.completions.create({ model: name, messages });
          return answer.choices[0].message.content;
        }
        const stream = await gateway.chat.completions.create({
          model: name,
          messages,
          stream: true,
        });
        const { items, failure } = await drain(stream);
        if (failure) throw failure as Error;
        return text(items);
      }),
    );
    const failed = answers.filter((a) => a.status === 'rejected');
    expect(failed).toEqual([]);
    expect(new Set(answers.map((a) => (a as PromiseFulfilledResult<string>).value))).toEqual(
      new Set(['Hello from a deployment']),
    );

    const charges = await settled(user, 200);
    expect(new Set(charges.map((c) => c.amount))).toEqual(new Set([-30]));
    const retried = charges.filter((c) => c.metadata.attempts !== 1);
    expect(retried.length).toBeGreaterThan(0);
    // Every try beyond the 200 served was a failure of `half`, retried once on another try.
    expect(calls('half') + calls('whole') - before).toBe(
      200 + retried.reduce((n, c) => n + (c.metadata.attempts as number) - 1, 0),
    );
    expect(await stack.balance(user)).toBe(100_000 - 200 * 30);
    expect(await liveReservations(user)).toBe(0);
  });
});
