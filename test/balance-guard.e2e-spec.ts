import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { BalanceGuard } from '../apps/ai-gateway/src/balances/balance-guard';
import { ReservationSweeper } from '../apps/ai-gateway/src/balances/reservation-sweeper';
import { startGateway } from './support/apps';
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
const estimate = (maxTokens: number) => Math.ceil(PROMPT_TOKENS * 0.1 + maxTokens * 0.2);

describe('the balance guard of /v1/chat/completions', () => {
  const stack = new ChatStack();
  let model: string;
  let endless: string;

  beforeAll(async () => {
    // A stream without max_tokens is asked for (and reserves) 32 output tokens; the endless
    // upstream ignores that, and is given 16 more at a time while the user covers them.
    await stack.start({ STREAM_SLICE_TOKENS: '16', GUARD_DEFAULT_MAX_TOKENS: '32' });
    // Every call is charged 30 × 0.1 + 20 × 0.2 = 7 credits.
    model = await stack.addModel(
      { chunks: ['ok'], usage: { prompt_tokens: 30, completion_tokens: 20 } },
      PRICES,
    );
    // Streams 2 tokens (8 bytes) every 5 ms until the client goes away; no usage.
    endless = await stack.addModel(
      { chunks: ['abcdefgh'], usage: null, endless: true, chunkDelayMs: 5 },
      PRICES,
    );
  });
  afterAll(() => stack.stop());

  it('refuses a user who has never had credits with 402 insufficient_credits', async () => {
    const user = await stack.fundedUser(0);
    const client = stack.client((await stack.newKey(user)).key);
    await expect(client.chat.completions.create({ model, messages })).rejects.toMatchObject({
      status: 402,
      code: 'insufficient_credits',
      type: 'insufficient_credits',
    });
    expect(await stack.ledgerCharges(user)).toEqual([]);
  });

  it('refuses a user in overdraft (blocked) even for a tiny call', async () => {
    const user = await stack.fundedUser(5);
    const overdraft = await call('POST', `${stack.gateway.url}/internal/charges`, {
      as: 'internal',
      body: { event_id: unique('tts'), user_id: user, source: 'tts', amount: 8 },
    });
    expect(overdraft.status).toBe(202);
    await eventually(async () => expect((await stack.guardView(user)).balance).toBe(-3));
    const client = stack.client((await stack.newKey(user)).key);
    await expect(
      client.chat.completions.create({ model, messages, max_tokens: 1 }),
    ).rejects.toMatchObject({ status: 402, code: 'insufficient_credits' });
  });

  it('refuses a call whose estimate the balance cannot cover, and lets a smaller one through', async () => {
    const user = await stack.fundedUser(10);
    const client = stack.client((await stack.newKey(user)).key);
    await expect(
      client.chat.completions.create({ model, messages, max_tokens: 1000 }),
    ).rejects.toMatchObject({ status: 402, code: 'insufficient_credits' });
    expect(estimate(5)).toBeLessThanOrEqual(10);
    await expect(
      client.chat.completions.create({ model, messages, max_tokens: 5 }),
    ).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('forgets its own charges once the credit-store snapshot includes them', async () => {
    const user = await stack.fundedUser(100);
    const client = stack.client((await stack.newKey(user)).key);
    await client.chat.completions.create({ model, messages, max_tokens: 20 });
    // Right after the call the charge counts locally; then the snapshot takes it over.
    await eventually(async () => {
      expect(await stack.guardView(user)).toMatchObject({
        balance: 93,
        unreflected: 0,
        reserved: 0,
        spendable: 93,
      });
    });
  });

  it('lets 100 parallel calls of one user overspend by at most one estimate', async () => {
    const perCall = estimate(50);
    // Each call costs exactly its estimate and takes 200 ms, so all 100 ask while none has ended:
    // any race in the guard shows as more than 10 calls served.
    const exact = await stack.addModel(
      {
        chunks: ['ok'],
        usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: 50 },
        chunkDelayMs: 200,
      },
      PRICES,
    );
    const credits = 10 * perCall;
    const user = await stack.fundedUser(credits);
    const client = stack.client((await stack.newKey(user)).key);

    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () =>
        client.chat.completions.create({ model: exact, messages, max_tokens: 50 }),
      ),
    );
    const served = results.filter((r) => r.status === 'fulfilled').length;
    const refused = results.filter(
      (r) => r.status === 'rejected' && (r.reason as { status?: number }).status === 402,
    ).length;
    expect(served + refused).toBe(100);
    expect(served).toBeGreaterThanOrEqual(10);

    const charges = await eventually(async () => {
      const listed = await stack.ledgerCharges(user);
      expect(listed).toHaveLength(served);
      return listed;
    });
    const charged = -charges.reduce((sum, c) => sum + c.amount, 0);
    console.log(
      `100 parallel calls on ${credits} credits (estimate = charge = ${perCall}): ${served} served, ${refused} refused, ${charged} charged`,
    );
    expect(charged).toBe(perCall * served);
    expect(charged).toBeLessThanOrEqual(credits + perCall);
    expect(await stack.balance(user)).toBe(credits - charged);
  });

  it('grants exactly what the balance covers to 100 reservations racing on two gateway replicas', async () => {
    const user = await stack.fundedUser(120);
    const replica = await startGateway({
      CREDIT_STORE_URL: stack.store.url,
      OUTBOX_RELAY_ENABLED: '0',
    });
    const guards = [stack.gateway, replica].map((gateway) => gateway.app.get(BalanceGuard));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => guards[i % 2].reserve(user, randomUUID(), 12)),
    ).finally(() => replica.close());
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(10);
    expect(
      outcomes.every(
        (o) =>
          o.status === 'fulfilled' ||
          (o.reason as { code?: string }).code === 'insufficient_credits',
      ),
    ).toBe(true);
    expect(await stack.guardView(user)).toMatchObject({ reserved: 120, spendable: 0 });
  });

  it('sweeps away the reservations of calls that never ended, and only those', async () => {
    const user = await stack.fundedUser(100);
    const guard = stack.gateway.app.get(BalanceGuard);
    const [crashed, running] = [randomUUID(), randomUUID()];
    await guard.reserve(user, crashed, 30);
    await guard.reserve(user, running, 20);
    const db = stack.gateway.app.get(DataSource);
    // As if the call holding `crashed` died: its reservation lapsed and stopped counting.
    await db.query(
      `UPDATE reservations SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [crashed],
    );
    expect(await stack.guardView(user)).toMatchObject({ reserved: 20, spendable: 80 });
    expect(await stack.gateway.app.get(ReservationSweeper).sweep()).toBeGreaterThanOrEqual(1);
    const left = await db.query<{ id: string }[]>(
      `SELECT id FROM reservations WHERE user_id = $1`,
      [user],
    );
    expect(left.map((r) => r.id)).toEqual([running]);
  });

  it('stops a stream with an error chunk when the credits run out, and charges what was produced', async () => {
    const credits = 20;
    const user = await stack.fundedUser(credits);
    const client = stack.client((await stack.newKey(user)).key);

    let received = '';
    let failure: unknown;
    try {
      for await (const chunk of await client.chat.completions.create({
        model: endless,
        messages,
        stream: true,
      })) {
        received += chunk.choices[0]?.delta.content ?? '';
      }
    } catch (error) {
      failure = error;
    }
    expect(failure).toMatchObject({ code: 'insufficient_credits' });
    expect(received.length).toBeGreaterThan(0);

    // The upstream was told to stop: it sends nothing more.
    const sent = stack.upstream.chunksSent.get(endless);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stack.upstream.chunksSent.get(endless)).toBe(sent);

    const [charge] = await eventually(async () => {
      const listed = await stack.ledgerCharges(user);
      expect(listed).toHaveLength(1);
      return listed;
    });
    expect(charge.metadata).toMatchObject({
      finish: 'insufficient_credits',
      usage_source: 'estimated',
    });
    const usage = (charge.pricing as { usage: { output_tokens: number } }).usage;
    // What the client got is what was charged (at 4 bytes a token)...
    expect(usage.output_tokens).toBe(Math.ceil(received.length / 4));
    // ...and the overspend is bounded by one slice of 16 tokens.
    expect(-charge.amount).toBeLessThanOrEqual(credits + Math.ceil(16 * 0.2));
    expect(-charge.amount).toBeGreaterThan(credits - Math.ceil(16 * 0.2) * 2);
  });

  it('charges a client that disconnects mid-stream for what was produced', async () => {
    const user = await stack.fundedUser(1000);
    const client = stack.client((await stack.newKey(user)).key);
    const stream = await client.chat.completions.create({ model: endless, messages, stream: true });
    let received = '';
    let contentChunks = 0;
    for await (const chunk of stream) {
      received += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.delta.content && ++contentChunks === 5) break; // closes the connection
    }
    const [charge] = await eventually(async () => {
      const listed = await stack.ledgerCharges(user);
      expect(listed).toHaveLength(1);
      return listed;
    });
    expect(charge.metadata).toMatchObject({ finish: 'client_disconnected', stream: true });
    const usage = (charge.pricing as { usage: { output_tokens: number } }).usage;
    // At least what the client read; a chunk or two more may have been on the wire.
    expect(usage.output_tokens).toBeGreaterThanOrEqual(Math.ceil(received.length / 4));
    expect(usage.output_tokens).toBeLessThan(Math.ceil(received.length / 4) + 10);
    expect((await stack.guardView(user)).reserved).toBe(0);
  });
});
