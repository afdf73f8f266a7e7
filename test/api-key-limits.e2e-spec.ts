import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { KeyClock } from '../apps/ai-gateway/src/api-keys/key-clock';
import { ReservationSweeper } from '../apps/ai-gateway/src/balances/reservation-sweeper';
import type { RunningApp } from './support/apps';
import { ChatStack } from './support/chat-stack';
import { call } from './support/http';
import { eventually, unique } from './support/wait';

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'user', content: 'Count the credits, please.' },
];
// 0.1 credit per input token and 0.2 per output token.
const PRICES = { input: '100000', output: '200000' };
/** The gateway's prompt estimate for `messages` (4 bytes a token of what it forwards). */
const PROMPT_TOKENS = Math.ceil(Buffer.byteLength(JSON.stringify([messages, null])) / 4);
const OUTPUT = 50;
/** What one call reserves and, its usage being exactly its estimate, is charged. */
const PER_CALL = Math.ceil(PROMPT_TOKENS * 0.1 + OUTPUT * 0.2);

interface KeyView {
  budget: { credits: number; period: string } | null;
  rpm: number | null;
  models: string[] | null;
  usage: {
    period_start: string | null;
    spent: number;
    reserved: number;
    remaining: number | null;
    in_flight: number;
    minute: { start: string; requests: number; tokens: number };
  };
}

interface CallAnswer {
  status: number;
  body: { error?: { code?: string; type?: string; message?: string } } & Record<string, unknown>;
  retryAfter: string | null;
}

describe('API keys with limits (budgets, rate limits, model lists) across two gateway replicas', () => {
  // A long TTL: a change can only reach the other replica in time by its notification.
  const stack = new ChatStack();
  let replica: RunningApp;
  let gateways: RunningApp[];
  let slow: string;
  let endless: string;
  let db: DataSource;

  beforeAll(async () => {
    await stack.start({
      STREAM_SLICE_TOKENS: '16',
      GUARD_DEFAULT_MAX_TOKENS: '32',
      API_KEY_CACHE_TTL_MS: '60000',
    });
    replica = await stack.replica();
    gateways = [stack.gateway, replica];
    // Charged exactly its estimate, and 300 ms long: 100 parallel calls all ask before any ends.
    slow = await stack.addModel(
      {
        chunks: ['ok'],
        usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: OUTPUT },
        chunkDelayMs: 300,
      },
      PRICES,
    );
    // Streams 2 tokens (8 bytes) every 5 ms until the client goes away; no usage.
    endless = await stack.addModel(
      { chunks: ['abcdefgh'], usage: null, endless: true, chunkDelayMs: 5 },
      PRICES,
    );
    db = stack.gateway.app.get(DataSource);
    // The replica prices the models too before it is asked to serve them.
    await eventually(async () => {
      const probe = await stack.newKey(await stack.fundedUser(0));
      const { data } = await stack.client(probe.key, replica).models.list();
      expect(data.map((m) => m.id)).toEqual(expect.arrayContaining([slow, endless]));
    });
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await replica?.close();
    await stack.stop();
  });

  /** Both replicas' key clocks stopped at `at` (a key's periods and minutes are read on it). */
  function clockAt(at: string): void {
    for (const gateway of gateways) {
      jest.spyOn(gateway.app.get(KeyClock), 'now').mockReturnValue(new Date(at));
    }
  }

  async function chat(
    gateway: RunningApp,
    key: string,
    body: Record<string, unknown> = {},
    path = '/v1/chat/completions',
  ): Promise<CallAnswer> {
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: slow, messages, max_tokens: OUTPUT, ...body }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as CallAnswer['body']) : {},
      retryAfter: response.headers.get('retry-after'),
    };
  }

  /** `n` calls at once, taken by the two replicas in turn. */
  function parallel(n: number, key: string, body: Record<string, unknown> = {}) {
    return Promise.all(Array.from({ length: n }, (_, i) => chat(gateways[i % 2], key, body)));
  }

  async function view(id: string): Promise<KeyView> {
    const { status, body } = await call<KeyView>(
      'GET',
      `${stack.gateway.url}/admin/api-keys/${id}`,
    );
    expect(status).toBe(200);
    return body;
  }

  async function reservationsOf(keyId: string): Promise<number> {
    const [row] = await db.query<{ n: string }[]>(
      `SELECT count(*) AS n FROM reservations WHERE api_key_id = $1`,
      [keyId],
    );
    return Number(row.n);
  }

  it('serves 100 parallel calls on two replicas only as far as the key budget covers: the rest are 402 key_budget_exceeded', async () => {
    // The account could pay for all 100; the key only for 10.
    const user = await stack.fundedUser(100 * PER_CALL);
    const key = await stack.newKey(user, { budget: { credits: 10 * PER_CALL, period: 'day' } });

    const answers = await parallel(100, key.key);
    const served = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter(
      (a) => a.status === 402 && a.body.error?.code === 'key_budget_exceeded',
    ).length;
    expect(served + refused).toBe(100);
    expect(served).toBe(10);

    const charges = await eventually(async () => {
      const listed = await stack.ledgerCharges(user);
      expect(listed).toHaveLength(served);
      return listed;
    });
    const charged = -charges.reduce((sum, c) => sum + c.amount, 0);
    expect(charges.every((c) => c.metadata.api_key_id === key.id)).toBe(true);
    const { usage } = await view(key.id);
    console.log(
      `100 parallel calls, 2 replicas, key budget ${10 * PER_CALL} (= 10 estimates of ${PER_CALL}): ` +
        `${served} served, ${refused} refused 402 key_budget_exceeded, ${charged} charged, key spend ${usage.spent}, reserved ${usage.reserved}`,
    );
    expect(usage).toMatchObject({ spent: charged, reserved: 0, in_flight: 0, remaining: 0 });
    expect(charged).toBe(10 * PER_CALL);
    expect(await reservationsOf(key.id)).toBe(0);
    // The account kept the rest: only the key ran out.
    expect(await stack.balance(user)).toBe(100 * PER_CALL - charged);
  });

  it('never has more than max_parallel calls of a key at the upstream, across both replicas', async () => {
    const user = await stack.fundedUser(100 * PER_CALL);
    const key = await stack.newKey(user, { max_parallel: 3 });
    stack.upstream.concurrency.most = 0;

    // 100 at once: 3 get a slot, the rest are refused at once (more are served if some end
    // before the last ones ask).
    const answers = await parallel(100, key.key);
    const served = answers.filter((a) => a.status === 200).length;
    const limited = answers.filter((a) => a.status === 429);
    expect(served + limited.length).toBe(100);
    expect(served).toBeGreaterThanOrEqual(3);
    for (const answer of limited) {
      expect(answer.body.error).toMatchObject({ code: 'rate_limited', type: 'rate_limit_error' });
      expect(answer.retryAfter).toBe('1');
    }
    // 20 clients that come back after each 429 until served: slots are freed and taken again on
    // both replicas, and never more than 3 are used.
    let refusals = 0;
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        while ((await chat(gateways[i % 2], key.key)).status === 429) {
          refusals++;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }),
    );
    console.log(
      `max_parallel 3, 2 replicas: 100 at once → ${served} served, ${limited.length} 429; ` +
        `20 retrying clients all served after ${refusals} 429s; most at the upstream at once ${stack.upstream.concurrency.most}`,
    );
    expect(stack.upstream.concurrency.most).toBeLessThanOrEqual(3);
    expect(stack.upstream.concurrency.most).toBeGreaterThan(1);
    expect((await view(key.id)).usage.in_flight).toBe(0);
    expect(await reservationsOf(key.id)).toBe(0);
    await eventually(async () => expect(await stack.ledgerCharges(user)).toHaveLength(served + 20));
  });

  it('lets the reservation of a call that never ended lapse out of its key, and sweeps it', async () => {
    const user = await stack.fundedUser(100 * PER_CALL);
    const key = await stack.newKey(user, {
      max_parallel: 1,
      budget: { credits: PER_CALL, period: 'day' },
    });
    // A call holds the key's only slot and its whole budget...
    const running = chat(replica, key.key);
    await eventually(async () => expect((await view(key.id)).usage.in_flight).toBe(1));
    expect((await view(key.id)).usage.reserved).toBe(PER_CALL);
    // ...until its gateway dies with it: its reservation lapses.
    await db.query(
      `UPDATE reservations SET expires_at = now() - interval '1 second' WHERE api_key_id = $1`,
      [key.id],
    );
    expect((await view(key.id)).usage).toMatchObject({ in_flight: 0, reserved: 0 });
    expect(await stack.gateway.app.get(ReservationSweeper).sweep()).toBeGreaterThanOrEqual(1);
    expect(await reservationsOf(key.id)).toBe(0);
    expect((await running).status).toBe(200);
  });

  it('serves rpm calls in a minute and refuses the next with 429 and Retry-After until the next minute', async () => {
    clockAt('2026-03-04T10:20:30Z');
    const user = await stack.fundedUser(100 * PER_CALL);
    const key = await stack.newKey(user, { rpm: 20 });

    const answers = await parallel(100, key.key);
    const served = answers.filter((a) => a.status === 200).length;
    const limited = answers.filter((a) => a.status === 429);
    console.log(`100 parallel calls, 2 replicas, rpm 20: ${served} served, ${limited.length} 429`);
    expect(served).toBe(20);
    expect(limited).toHaveLength(80);
    for (const answer of limited) {
      expect(answer.body.error?.code).toBe('rate_limited');
      expect(answer.retryAfter).toBe('30'); // to 10:21:00
    }
    expect((await view(key.id)).usage.minute).toMatchObject({
      start: '2026-03-04T10:20:00.000Z',
      requests: 20,
    });
    // The next minute counts afresh.
    clockAt('2026-03-04T10:21:00Z');
    expect((await chat(replica, key.key)).status).toBe(200);
  });

  it('counts a call against tpm at its estimate while it runs, and at its usage once it ended', async () => {
    clockAt('2026-03-04T11:00:10Z');
    // Asked for 50 output tokens, uses 1: the estimate is PROMPT_TOKENS + 50, the usage + 1.
    const terse = await stack.addModel(
      {
        chunks: ['k'],
        usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: 1 },
        chunkDelayMs: 300,
      },
      PRICES,
    );
    const estimate = PROMPT_TOKENS + OUTPUT;
    const used = PROMPT_TOKENS + 1;
    const user = await stack.fundedUser(100 * PER_CALL);
    const key = await stack.newKey(user, { tpm: 2 * estimate - 1 });

    // Two at once: both estimates do not fit in the minute.
    const both = await Promise.all(gateways.map((g) => chat(g, key.key, { model: terse })));
    expect(both.map((a) => a.status).sort()).toEqual([200, 429]);
    const limited = both.find((a) => a.status === 429)!;
    expect(limited.body.error?.code).toBe('rate_limited');
    expect(limited.retryAfter).toBe('50');
    // Once the first ended, it counts what it used, and another call fits.
    await eventually(async () => expect((await view(key.id)).usage.minute.tokens).toBe(used));
    expect((await chat(replica, key.key, { model: terse })).status).toBe(200);
    await eventually(async () => expect((await view(key.id)).usage.minute.tokens).toBe(2 * used));
  });

  it('counts free calls against the key’s rate limits too', async () => {
    clockAt('2026-03-04T12:00:00Z');
    const free = unique('free');
    stack.upstream.models.set(free, {
      chunks: ['ok'],
      usage: { prompt_tokens: 1, completion_tokens: 1 },
    });
    const rule = await call('POST', `${stack.store.url}/admin/price-rules`, {
      body: { scene: 'chat', model: free, mode: 'free' },
    });
    expect(rule.status).toBe(201);
    const user = await stack.fundedUser(0); // free calls need no credits
    const key = await stack.newKey(user, { rpm: 2 });
    await eventually(async () => {
      for (const gateway of gateways) {
        const { data } = await stack.client(key.key, gateway).models.list();
        expect(data.map((m) => m.id)).toContain(free);
      }
    });
    const statuses = [];
    for (const gateway of [...gateways, stack.gateway]) {
      statuses.push((await chat(gateway, key.key, { model: free })).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(await reservationsOf(key.id)).toBe(0);
  });

  it('stops a stream when the key budget runs out (the account has plenty), and charges what it produced', async () => {
    const user = await stack.fundedUser(10_000);
    const key = await stack.newKey(user, { budget: { credits: 20, period: 'total' } });
    let received = '';
    let failure: unknown;
    try {
      for await (const chunk of await stack
        .client(key.key, replica)
        .chat.completions.create({ model: endless, messages, stream: true })) {
        received += chunk.choices[0]?.delta.content ?? '';
      }
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: 'key_budget_exceeded' });
    expect(received.length).toBeGreaterThan(0);

    const [charge] = await eventually(async () => {
      const listed = await stack.ledgerCharges(user);
      expect(listed).toHaveLength(1);
      return listed;
    });
    expect(charge.metadata).toMatchObject({ finish: 'key_budget_exceeded', api_key_id: key.id });
    const usage = (charge.pricing as { usage: { output_tokens: number } }).usage;
    expect(usage.output_tokens).toBe(Math.ceil(received.length / 4));
    // Stopped at the key's 20 credits, give or take one slice of 16 tokens (3.2 credits).
    expect(-charge.amount).toBeLessThanOrEqual(20 + Math.ceil(16 * 0.2));
    expect(-charge.amount).toBeGreaterThan(20 - Math.ceil(16 * 0.2) * 2);
    expect((await view(key.id)).usage).toMatchObject({ spent: -charge.amount, reserved: 0 });
  });

  it('counts a daily budget per UTC day: what was spent yesterday does not count today', async () => {
    const user = await stack.fundedUser(100 * PER_CALL);
    const key = await stack.newKey(user, { budget: { credits: PER_CALL, period: 'day' } });
    clockAt('2026-03-01T23:59:30Z');
    expect((await chat(stack.gateway, key.key)).status).toBe(200);
    const second = await chat(replica, key.key);
    expect(second.status).toBe(402);
    expect(second.body.error?.code).toBe('key_budget_exceeded');
    expect((await view(key.id)).usage).toMatchObject({
      period_start: '2026-03-01',
      spent: PER_CALL,
      remaining: 0,
    });

    clockAt('2026-03-02T00:00:01Z');
    expect((await view(key.id)).usage).toMatchObject({ period_start: '2026-03-02', spent: 0 });
    expect((await chat(replica, key.key)).status).toBe(200);
    expect((await chat(stack.gateway, key.key)).status).toBe(402);

    // The same spend under other periods: 2026-03-02 is a Monday, so its week holds only today's
    // call, and its month both.
    await call('PATCH', `${stack.gateway.url}/admin/api-keys/${key.id}`, {
      body: { budget: { credits: 10 * PER_CALL, period: 'week' } },
    });
    expect((await view(key.id)).usage).toMatchObject({
      period_start: '2026-03-02',
      spent: PER_CALL,
    });
    await call('PATCH', `${stack.gateway.url}/admin/api-keys/${key.id}`, {
      body: { budget: { credits: 10 * PER_CALL, period: 'month' } },
    });
    expect((await view(key.id)).usage).toMatchObject({
      period_start: '2026-03-01',
      spent: 2 * PER_CALL,
    });
  });

  it('lets a key call only its models (403 model_not_allowed in each surface’s shape), and lists only those', async () => {
    const user = await stack.fundedUser(100 * PER_CALL);
    // The whole name as the prefix: model names made in the same millisecond differ only in their
    // last characters, so any shorter prefix of one can match the other.
    const key = await stack.newKey(user, { models: [`${slow}*`] });
    const other = await stack.newKey(user, { models: ['nothing-like-it'] });

    const { data } = await stack.client(key.key, replica).models.list();
    expect(data.map((m) => m.id)).toContain(slow);
    expect(data.map((m) => m.id)).not.toContain(endless);
    expect((await stack.client(other.key).models.list()).data).toEqual([]);

    expect((await chat(replica, key.key)).status).toBe(200);
    const refused = await chat(replica, key.key, { model: endless });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'model_not_allowed',
      type: 'permission_error',
    });

    const anthropic = await fetch(`${replica.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': other.key,
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: 'claude-anything', max_tokens: 10, messages }),
    });
    expect(anthropic.status).toBe(403);
    expect(await anthropic.json()).toMatchObject({
      type: 'error',
      error: { type: 'permission_error' },
    });
    const counted = await fetch(`${replica.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: {
        'x-api-key': other.key,
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: 'claude-anything', messages }),
    });
    expect(counted.status).toBe(403);
  });

  it('refuses an expired key with 401, and a key limited by PATCH on the other replica within a second', async () => {
    const user = await stack.fundedUser(100 * PER_CALL);
    // A key cannot be given a past expiry (400); one whose expiry has come is refused.
    const past = await call<{ message: string }>('POST', `${stack.gateway.url}/admin/api-keys`, {
      body: { user_id: user, expires_at: '2020-01-01' },
    });
    expect(past.status).toBe(400);
    expect(past.body.message).toBe('expires_at must be in the future');
    const expired = await stack.newKey(user, { expires_at: '2999-01-01' });
    await db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      expired.id,
    ]);
    const answer = await chat(stack.gateway, expired.key);
    expect(answer.status).toBe(401);
    expect(answer.body.error?.message).toContain('expired');

    const key = await stack.newKey(user, { expires_at: '2999-01-01T00:00:00Z' });
    expect((await chat(replica, key.key)).status).toBe(200); // the replica has it cached now
    const patched = await call('PATCH', `${stack.gateway.url}/admin/api-keys/${key.id}`, {
      body: { models: ['another-model'] },
    });
    expect(patched.status).toBe(200);
    const since = Date.now();
    await eventually(
      async () => expect((await chat(replica, key.key, { max_tokens: 1 })).status).toBe(403),
      { timeoutMs: 1000, intervalMs: 20 },
    );
    console.log(`a PATCH reached the other replica in ≤ ${Date.now() - since} ms`);
  });

  it('stops a revoked key on the other replica within a second (its cache is told, not waited out)', async () => {
    const user = await stack.fundedUser(100 * PER_CALL);
    const key = await stack.newKey(user);
    expect((await chat(replica, key.key, { max_tokens: 1 })).status).toBe(200);
    expect((await chat(replica, key.key, { max_tokens: 1 })).status).toBe(200);

    const revoked = await call('POST', `${stack.gateway.url}/admin/api-keys/${key.id}/revoke`);
    expect(revoked.status).toBe(201);
    const since = Date.now();
    await eventually(
      async () => expect((await chat(replica, key.key, { max_tokens: 1 })).status).toBe(401),
      { timeoutMs: 1000, intervalMs: 20 },
    );
    console.log(`a revocation reached the other replica in ≤ ${Date.now() - since} ms`);
  });

  it('still stops a revoked key within a second after the change listener lost its connection', async () => {
    // The listeners of this process's two replicas (other test files run gateways of their own).
    const ours = `application_name = 'tally-ai-gateway-keys-${process.pid}'`;
    const listeners = () =>
      db.query<{ pid: number }[]>(`SELECT pid FROM pg_stat_activity WHERE ${ours}`);
    expect(await listeners()).toHaveLength(2);
    await db.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${ours}`);
    const user = await stack.fundedUser(100 * PER_CALL);
    const key = await stack.newKey(user);
    expect((await chat(replica, key.key, { max_tokens: 1 })).status).toBe(200);
    // Both listen again (within a second or so), and the replica caches the key again.
    await eventually(async () => expect(await listeners()).toHaveLength(2));
    expect((await chat(replica, key.key, { max_tokens: 1 })).status).toBe(200);

    expect(
      (await call('POST', `${stack.gateway.url}/admin/api-keys/${key.id}/revoke`)).status,
    ).toBe(201);
    await eventually(
      async () => expect((await chat(replica, key.key, { max_tokens: 1 })).status).toBe(401),
      { timeoutMs: 1000, intervalMs: 20 },
    );
  });

  it('counts a service charge naming the key in its budget (not refused by it), and refuses another user’s key', async () => {
    const user = await stack.fundedUser(100 * PER_CALL);
    const key = await stack.newKey(user, { budget: { credits: 10, period: 'total' } });
    const charge = (api_key_id: string, amount: number, user_id = user) =>
      call('POST', `${stack.gateway.url}/internal/charges`, {
        as: 'internal',
        body: { event_id: unique('tts'), user_id, source: 'tts', amount, api_key_id },
      });
    expect((await charge(key.id, 25)).status).toBe(202);
    expect((await view(key.id)).usage).toMatchObject({ spent: 25, remaining: 0 });
    expect((await chat(replica, key.key)).body.error?.code).toBe('key_budget_exceeded');

    const stranger = await stack.fundedUser(0);
    const refused = await charge(key.id, 1, stranger);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('api_key_id');
    const entries = await eventually(async () => {
      const listed = await stack.ledgerCharges(user);
      expect(listed).toHaveLength(1);
      return listed;
    });
    expect(entries[0].metadata).toMatchObject({ api_key_id: key.id });
  });

  it('shows a shared account as a team pool: each key its own limits and usage, the account all of it', async () => {
    const team = await stack.fundedUser(1000);
    const agent = await stack.newKey(team, { budget: { credits: 5 * PER_CALL, period: 'day' } });
    const ci = await stack.newKey(team, { models: [slow], max_parallel: 2 });
    const intern = await stack.newKey(team, { rpm: 2, expires_at: '2999-01-01' });
    expect((await chat(stack.gateway, agent.key)).status).toBe(200);
    expect((await chat(replica, ci.key)).status).toBe(200);
    expect((await chat(stack.gateway, ci.key)).status).toBe(200);
    expect((await chat(replica, ci.key, { model: endless })).status).toBe(403);
    expect((await chat(replica, intern.key)).status).toBe(200);

    expect((await view(agent.id)).usage).toMatchObject({
      spent: PER_CALL,
      remaining: 4 * PER_CALL,
    });
    expect((await view(ci.id)).usage).toMatchObject({ spent: 2 * PER_CALL, remaining: null });
    const usage = async (apiKeyId?: string) => {
      const query = apiKeyId ? `?period=all&api_key_id=${apiKeyId}` : '?period=all';
      const { status, body } = await call<{ totals: { calls: number; credits: number } }>(
        'GET',
        `${stack.store.url}/accounts/${team}/usage${query}`,
      );
      expect(status).toBe(200);
      return body.totals;
    };
    await eventually(async () => expect(await usage()).toMatchObject({ calls: 4 }));
    expect(await usage(agent.id)).toMatchObject({ calls: 1, credits: PER_CALL });
    expect(await usage(ci.id)).toMatchObject({ calls: 2, credits: 2 * PER_CALL });
    expect(await usage(intern.id)).toMatchObject({ calls: 1, credits: PER_CALL });
    expect(await usage(randomUUID())).toMatchObject({ calls: 0, credits: 0 });
    const bad = await call('GET', `${stack.store.url}/accounts/${team}/usage?api_key_id=nope`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('api_key_id');
  });

  it('refuses bad limits with 400 naming the field, and writes nothing', async () => {
    const user = unique('user');
    const bad: [Record<string, unknown>, string][] = [
      [{ budget: { credits: -1, period: 'day' } }, 'budget.credits'],
      [{ budget: { credits: 0, period: 'day' } }, 'budget.credits'],
      [{ budget: { credits: 1_000_000_000_001, period: 'day' } }, 'budget.credits'],
      [{ budget: { credits: 10, period: 'year' } }, 'budget.period'],
      [{ budget: { credits: 10 } }, 'budget.period'],
      [{ budget: { credits: 10, period: 'day', rollover: true } }, 'rollover'],
      [{ budget: 10 }, 'budget'],
      [{ rpm: 0 }, 'rpm'],
      [{ rpm: -5 }, 'rpm'],
      [{ rpm: 1.5 }, 'rpm'],
      [{ tpm: 0 }, 'tpm'],
      [{ max_parallel: 0 }, 'max_parallel'],
      [{ models: [] }, 'models'],
      [{ models: 'gpt-4o' }, 'models'],
      [{ models: ['gpt-*-mini'] }, 'models'],
      [{ models: ['**'] }, 'models'],
      [{ models: ['gpt 4o'] }, 'models'],
      [{ expires_at: 'tomorrow' }, 'expires_at'],
      [{ expires_at: '2020-01-01' }, 'expires_at must be in the future'],
      [{ expires_at: new Date(Date.now() - 1000).toISOString() }, 'expires_at must be in the'],
      [{ burst: 5 }, 'burst'],
    ];
    for (const [limits, field] of bad) {
      const { status, body } = await call<{ message: string }>(
        'POST',
        `${stack.gateway.url}/admin/api-keys`,
        { body: { user_id: user, ...limits } },
      );
      expect({ limits, status }).toEqual({ limits, status: 400 });
      expect({ limits, mentions: body.message.includes(field) }).toEqual({
        limits,
        mentions: true,
      });
    }
    const listed = await call<unknown[]>(
      'GET',
      `${stack.gateway.url}/admin/api-keys?user_id=${user}`,
    );
    expect(listed.body).toEqual([]);

    // The same on PATCH: refused whole, the key unchanged.
    const key = await stack.newKey(user, { rpm: 7 });
    for (const [limits, field] of bad) {
      const { status, body } = await call<{ message: string }>(
        'PATCH',
        `${stack.gateway.url}/admin/api-keys/${key.id}`,
        { body: { max_parallel: 2, ...limits } },
      );
      expect({ limits, status }).toEqual({ limits, status: 400 });
      expect(body.message).toContain(field);
    }
    expect(await view(key.id)).toMatchObject({ rpm: 7, budget: null, models: null });
    const unknown = await call('PATCH', `${stack.gateway.url}/admin/api-keys/${randomUUID()}`, {
      body: { rpm: 1 },
    });
    expect(unknown.status).toBe(404);
  });

  it('changes and removes limits by PATCH (null removes one), which the view shows', async () => {
    const user = await stack.fundedUser(100 * PER_CALL);
    const key = await stack.newKey(user, { rpm: 1, models: ['a*'] });
    const patched = await call<KeyView>('PATCH', `${stack.gateway.url}/admin/api-keys/${key.id}`, {
      body: { rpm: null, budget: { credits: 500, period: 'week' } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      rpm: null,
      budget: { credits: 500, period: 'week' },
      models: ['a*'],
    });
    const removed = await call<KeyView>('PATCH', `${stack.gateway.url}/admin/api-keys/${key.id}`, {
      body: { models: null },
    });
    expect(removed.body).toMatchObject({ rpm: null, models: null });
    // The replica applies it at once: any model now, and more than one call a minute.
    expect((await chat(replica, key.key)).status).toBe(200);
    expect((await chat(replica, key.key)).status).toBe(200);
  });
});
