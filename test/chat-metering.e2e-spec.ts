import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { ReservationSweeper } from '../apps/ai-gateway/src/balances/reservation-sweeper';
import { ChatStack } from './support/chat-stack';
import { drain } from './support/client-calls';
import { eventually } from './support/wait';

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'user', content: 'Meter every token, please.' },
];
const tools: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } },
];
/** The gateway's prompt estimate (4 bytes a token of the messages and tools it forwards). */
const promptTokens = (withTools?: unknown) =>
  Math.ceil(Buffer.byteLength(JSON.stringify([messages, withTools ?? null])) / 4);
// One credit a token, in and out: amounts read as token counts.
const ONE_A_TOKEN = { input: '1000000', output: '1000000' };
const DEFAULT_MAX_TOKENS = 500;
const SLICE = 16;
const TTL_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('metering a chat call: the guard bounds what any call can cost', () => {
  const stack = new ChatStack();
  let db: DataSource;

  beforeAll(async () => {
    await stack.start({
      GUARD_DEFAULT_MAX_TOKENS: String(DEFAULT_MAX_TOKENS),
      STREAM_SLICE_TOKENS: String(SLICE),
      RESERVATION_TTL_MS: String(TTL_MS),
    });
    db = stack.gateway.app.get(DataSource);
  });
  afterAll(() => stack.stop());

  const gatewayCharges = (user: string) =>
    db.query<{ amount: string }[]>(`SELECT amount FROM charges WHERE user_id = $1`, [user]);
  const liveReservations = (user: string) =>
    db.query<{ id: string }[]>(
      `SELECT id FROM reservations WHERE user_id = $1 AND expires_at > now()`,
      [user],
    );

  describe('n choices (issue 21, defect 5)', () => {
    let model: string;
    beforeAll(async () => {
      // Each choice is 50 tokens; with n = 40 that is 2,000 output tokens.
      model = await stack.addModel(
        {
          chunks: ['Hello', ', ', 'ledger', '!'],
          usage: { prompt_tokens: 10, completion_tokens: 50 },
        },
        ONE_A_TOKEN,
      );
    });

    it('reserves for every choice: n = 40 × max_tokens 50 is refused to a user holding 1,000', async () => {
      const user = await stack.fundedUser(1000);
      const client = stack.client((await stack.newKey(user)).key);
      const request = { model, messages, n: 40, max_tokens: 50 };
      await expect(
        client.chat.completions.create({ ...request, stream: true }),
      ).rejects.toMatchObject({ status: 402, code: 'insufficient_credits' });
      await expect(client.chat.completions.create(request)).rejects.toMatchObject({
        status: 402,
        code: 'insufficient_credits',
      });
      expect(stack.upstream.received.at(-1)?.body.model).not.toBe(model);
      expect(await gatewayCharges(user)).toEqual([]);
    });

    it('serves all the choices to a user who covers them, and charges them all', async () => {
      const reservation = promptTokens() + 40 * 50;
      const user = await stack.fundedUser(reservation);
      const client = stack.client((await stack.newKey(user)).key);
      const { items: chunks, failure } = await drain(
        await client.chat.completions.create({
          model,
          messages,
          n: 40,
          max_tokens: 50,
          stream: true,
        }),
      );
      expect(failure).toBeUndefined();
      const texts = new Map<number, string>();
      for (const chunk of chunks) {
        for (const choice of chunk.choices) {
          texts.set(choice.index, (texts.get(choice.index) ?? '') + (choice.delta.content ?? ''));
        }
      }
      expect(texts.size).toBe(40);
      expect([...texts.values()].every((t) => t === 'Hello, ledger!')).toBe(true);
      await eventually(async () => {
        expect((await stack.ledgerCharges(user)).map((c) => c.amount)).toEqual([-2010]);
      });
      expect(await stack.balance(user)).toBeGreaterThanOrEqual(0);
      expect(await liveReservations(user)).toEqual([]);
    });

    it('refuses an n that is not a count of choices with a 400 naming n', async () => {
      const user = await stack.fundedUser(10);
      const client = stack.client((await stack.newKey(user)).key);
      for (const n of [0, 129, 1.5, '2']) {
        const refused = await client.chat.completions
          .create({ model, messages, n: n as number })
          .then(
            () => undefined,
            (error: { status?: number; message?: string }) => error,
          );
        expect(refused?.status).toBe(400);
        expect(refused?.message).toContain('n: must be an integer from 1 to 128');
      }
    });
  });

  it('bounds hidden reasoning: the upstream is given the limit the gateway reserved (defect 5)', async () => {
    // A reasoning model that would think 5,000 hidden tokens before its two visible ones.
    const reasoner = await stack.addModel(
      {
        chunks: ['ok'],
        usage: { prompt_tokens: 10, completion_tokens: 2 },
        reasoningTokens: 5000,
      },
      ONE_A_TOKEN,
    );
    const credits = promptTokens() + DEFAULT_MAX_TOKENS + 50;
    const user = await stack.fundedUser(credits);
    const client = stack.client((await stack.newKey(user)).key);
    const { failure } = await drain(
      await client.chat.completions.create({ model: reasoner, messages, stream: true }),
    );
    expect(failure).toBeUndefined();
    // No limit from the client: the gateway sets its own, and reserved for it.
    expect(stack.upstream.received.at(-1)?.body).toMatchObject({
      max_completion_tokens: DEFAULT_MAX_TOKENS,
    });
    const [charge] = await eventually(async () => {
      const listed = await stack.ledgerCharges(user);
      expect(listed).toHaveLength(1);
      return listed;
    });
    expect(charge.pricing).toMatchObject({
      usage: { output_tokens: DEFAULT_MAX_TOKENS, reasoning_tokens: DEFAULT_MAX_TOKENS },
    });
    expect(-charge.amount).toBeLessThanOrEqual(credits);
    expect(await stack.balance(user)).toBeGreaterThanOrEqual(0);
  });

  it('stops tool-call arguments from an upstream that ignores max_tokens at the last slice (defect 5)', async () => {
    // Tool-call arguments, 2 tokens every 5 ms, for ever, whatever the request's limit.
    const runaway = await stack.addModel(
      { chunks: ['abcdefgh'], usage: null, endless: true, chunkDelayMs: 5, tool: 'lookup' },
      ONE_A_TOKEN,
    );
    const reservation = promptTokens(tools) + 20;
    // Covers the call's reservation but not one slice more.
    const credits = reservation + SLICE / 2;
    const user = await stack.fundedUser(credits);
    const client = stack.client((await stack.newKey(user)).key);
    const { items: chunks, failure } = await drain(
      await client.chat.completions.create({
        model: runaway,
        messages,
        tools,
        max_tokens: 20,
        stream: true,
      }),
      2000,
    );
    expect(failure).toMatchObject({ code: 'insufficient_credits' });
    const args = chunks
      .flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])
      .map((call) => call.function?.arguments ?? '')
      .join('');
    const [charge] = await eventually(async () => {
      const listed = await stack.ledgerCharges(user);
      expect(listed).toHaveLength(1);
      return listed;
    });
    expect(charge.metadata).toMatchObject({ finish: 'insufficient_credits' });
    const output = (charge.pricing as { usage: { output_tokens: number } }).usage.output_tokens;
    // What the client got (the function's name and its arguments) is what was charged.
    expect(output).toBe(Math.ceil(Buffer.byteLength(`lookup${args}`) / 4));
    // Cut at what was covered: the 20 reserved (the next slice was not), never past them.
    expect(output).toBe(20);
    // At most one slice beyond what was reserved.
    expect(-charge.amount).toBeLessThanOrEqual(reservation + SLICE);
  });

  describe('a call that outlives RESERVATION_TTL_MS (defect 9)', () => {
    let slow: string;
    beforeAll(async () => {
      // 8 pieces, 300 ms apart: 2.4 s, well past the 1 s a reservation lives unrenewed.
      slow = await stack.addModel(
        {
          chunks: Array.from({ length: 8 }, () => 'ab'),
          usage: { prompt_tokens: 10, completion_tokens: 4 },
          chunkDelayMs: 300,
        },
        ONE_A_TOKEN,
      );
    });

    /** Mid-call, past the TTL: the reservation still counts and the sweeper leaves it. */
    async function expectHeldMidCall(user: string): Promise<void> {
      await sleep(TTL_MS * 1.8);
      expect(await liveReservations(user)).toHaveLength(1);
      expect((await stack.guardView(user)).reserved).toBeGreaterThan(0);
      await stack.gateway.app.get(ReservationSweeper).sweep();
      expect(await liveReservations(user)).toHaveLength(1);
    }

    it('keeps a long stream’s reservation while it runs', async () => {
      const user = await stack.fundedUser(1000);
      const client = stack.client((await stack.newKey(user)).key);
      const streaming = client.chat.completions
        .create({ model: slow, messages, stream: true })
        .then((stream) => drain(stream));
      await expectHeldMidCall(user);
      expect((await streaming).failure).toBeUndefined();
      expect(await liveReservations(user)).toEqual([]);
      expect((await gatewayCharges(user)).map((c) => Number(c.amount))).toEqual([14]);
    });

    it('keeps a long JSON call’s reservation while it runs', async () => {
      const user = await stack.fundedUser(1000);
      const client = stack.client((await stack.newKey(user)).key);
      const answering = client.chat.completions.create({ model: slow, messages });
      await expectHeldMidCall(user);
      await expect(answering).resolves.toMatchObject({ object: 'chat.completion' });
      expect(await liveReservations(user)).toEqual([]);
    });
  });

  describe('a charge insert that fails at the end of a call (defect 7)', () => {
    let model: string;
    beforeAll(async () => {
      model = await stack.addModel(
        {
          chunks: ['Hello', ', ', 'ledger', '!'],
          usage: { prompt_tokens: 10, completion_tokens: 4 },
        },
        ONE_A_TOKEN,
      );
    });

    /**
     * Makes the gateway's `charges` insert fail for the user's first `failures` rows, as a brief
     * database fault would (a sequence counts the attempts: it is not rolled back with them).
     * Answers how many inserts were tried.
     */
    async function failChargeInserts(user: string, failures: number) {
      const name = `charge_fault_${Math.random().toString(36).slice(2, 10)}`;
      await db.query(`CREATE SEQUENCE ${name}`);
      await db.query(
        `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.user_id = '${user}' AND nextval('${name}') <= ${failures} THEN
             RAISE EXCEPTION 'injected fault: charge insert refused';
           END IF;
           RETURN NEW;
         END $$`,
      );
      await db.query(
        `CREATE TRIGGER ${name} BEFORE INSERT ON charges FOR EACH ROW EXECUTE FUNCTION ${name}()`,
      );
      return {
        attempts: async () => {
          const [row] = await db.query<{ last_value: string }[]>(`SELECT last_value FROM ${name}`);
          return Number(row.last_value);
        },
        remove: async () => {
          await db.query(`DROP TRIGGER ${name} ON charges`);
          await db.query(`DROP FUNCTION ${name}()`);
          await db.query(`DROP SEQUENCE ${name}`);
        },
      };
    }

    it('retries a stream’s charge until it is recorded, once, before the stream ends', async () => {
      const user = await stack.fundedUser(1000);
      const { key } = await stack.newKey(user);
      const fault = await failChargeInserts(user, 3);
      try {
        const response = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages, stream: true }),
        });
        const text = await response.text();
        expect(response.status).toBe(200);
        expect(text).not.toContain('"error"');
        expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
        expect(await fault.attempts()).toBe(4);
      } finally {
        await fault.remove();
      }
      expect((await gatewayCharges(user)).map((c) => Number(c.amount))).toEqual([14]);
      expect(await liveReservations(user)).toEqual([]);
      await eventually(async () => {
        expect((await stack.ledgerCharges(user)).map((c) => c.amount)).toEqual([-14]);
      });
      expect(await stack.balance(user)).toBe(986);
    });

    it('retries a JSON call’s charge until it is recorded, once, before answering', async () => {
      const user = await stack.fundedUser(1000);
      const client = stack.client((await stack.newKey(user)).key);
      const fault = await failChargeInserts(user, 3);
      try {
        await expect(client.chat.completions.create({ model, messages })).resolves.toMatchObject({
          choices: [{ message: { content: 'Hello, ledger!' } }],
        });
        expect(await fault.attempts()).toBe(4);
      } finally {
        await fault.remove();
      }
      expect((await gatewayCharges(user)).map((c) => Number(c.amount))).toEqual([14]);
      expect(await liveReservations(user)).toEqual([]);
      await eventually(async () => {
        expect((await stack.ledgerCharges(user)).map((c) => c.amount)).toEqual([-14]);
      });
    });
  });
});
