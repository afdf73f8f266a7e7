import type { DataSource } from 'typeorm';
import { ChatStack } from './support/chat-stack';
import { connect, scalar } from './support/db';
import { call } from './support/http';
import { eventually, unique } from './support/wait';

/**
 * What the gateway accepts, the credit-store can apply: a charge the bus contract (or the broker's
 * message size) would refuse is refused at the gateway with a 400 naming the field, before
 * anything is written, reserved or sent upstream, instead of a 202 that is dead-lettered later.
 */
describe('the gateway accepts only charges the ledger can apply', () => {
  const provider = unique('prov');
  const stack = new ChatStack();
  let gatewayDb: DataSource;
  let voice: string;

  beforeAll(async () => {
    // Service bodies as large as /v1's, so that the broker's limit is what refuses a charge.
    await stack.start({ UPSTREAM_PROVIDER: provider, GATEWAY_SERVICE_BODY_LIMIT: '2mb' });
    gatewayDb = await connect(process.env.GATEWAY_DATABASE_URL);
    voice = unique('voice');
    // Names no provider: it prices the model whatever provider a charge names.
    const rule = await call('POST', `${stack.store.url}/admin/price-rules`, {
      body: { scene: 'tts', model: voice, mode: 'fixed', credits_per_call: '2' },
    });
    expect(rule.status).toBe(201);
  });
  afterAll(async () => {
    await gatewayDb?.destroy();
    await stack.stop();
  });

  const charge = (body: Record<string, unknown>) =>
    call<{ code?: string; message?: string }>('POST', `${stack.gateway.url}/internal/charges`, {
      as: 'internal',
      body,
    });
  const gatewayCharges = (user: string) =>
    scalar(gatewayDb, 'SELECT count(*)::int FROM charges WHERE user_id = $1', [user]);

  /** Nothing of the refused charge anywhere, and the user's next charge goes through alone. */
  async function expectNothingLeft(user: string): Promise<void> {
    expect(await gatewayCharges(user)).toBe(0);
    expect(await stack.guardView(user)).toMatchObject({ reserved: 0, unreflected: 0 });
    const next = await charge({ event_id: unique('ok'), user_id: user, source: 'tts', amount: 1 });
    expect(next.status).toBe(202);
    await eventually(async () => expect(await stack.ledgerCharges(user)).toHaveLength(1));
    expect(await gatewayCharges(user)).toBe(1);
  }

  it('refuses a provider longer than the bus carries (64) with a 400 naming provider', async () => {
    const user = await stack.fundedUser(100);
    const body = {
      event_id: unique('long-provider'),
      user_id: user,
      source: 'tts',
      provider: 'p'.repeat(70),
      model: voice,
      usage: {},
    };
    // Until the gateway's price book has read the rule, the charge is refused with no_price_rule.
    const answer = await eventually(async () => {
      const refused = await charge(body);
      expect(refused.body.code).not.toBe('no_price_rule');
      return refused;
    });
    expect(answer).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(answer.body.message).toMatch(/^provider/);
    await expectNothingLeft(user);
  });

  it('refuses a charge whose message would exceed the broker limit, naming metadata', async () => {
    const user = await stack.fundedUser(100);
    const answer = await charge({
      event_id: unique('huge'),
      user_id: user,
      source: 'tts',
      amount: 3,
      metadata: { blob: 'x'.repeat(1_200_000) },
    });
    expect(answer).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(answer.body.message).toMatch(/^metadata/);
    await expectNothingLeft(user);
  });

  it('refuses a service body past GATEWAY_SERVICE_BODY_LIMIT before reading it (413)', async () => {
    const small = new ChatStack();
    await small.start();
    try {
      const answer = await call<{ code?: string }>(
        'POST',
        `${small.gateway.url}/internal/charges`,
        {
          as: 'internal',
          body: {
            event_id: unique('big'),
            user_id: 'u',
            source: 'tts',
            amount: 3,
            metadata: { blob: 'x'.repeat(300_000) },
          },
        },
      );
      expect(answer).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
    } finally {
      await small.stop();
    }
  });

  it('still takes a large charge that fits in one message, through to the ledger', async () => {
    const user = await stack.fundedUser(100);
    const answer = await charge({
      event_id: unique('large'),
      user_id: user,
      source: 'tts',
      amount: 3,
      metadata: { blob: 'x'.repeat(900_000) },
    });
    expect(answer.status).toBe(202);
    const [entry] = await eventually(async () => {
      const entries = await stack.ledgerCharges(user);
      expect(entries).toHaveLength(1);
      return entries;
    });
    expect((entry.metadata.blob as string).length).toBe(900_000);
  });

  it('refuses a chat call whose charge the ledger could not hold, before the upstream', async () => {
    // A model the client chose, served by the upstream and priced by a rule naming no model.
    const model = 'gpt\u0000x';
    stack.upstream.models.set(model, { chunks: ['hi'], usage: null });
    const rule = await call<{ id: number }>('POST', `${stack.store.url}/admin/price-rules`, {
      body: {
        scene: 'chat',
        provider,
        mode: 'tokens',
        input_per_million: '1',
        output_per_million: '1',
      },
    });
    expect(rule.status).toBe(201);
    try {
      const user = await stack.fundedUser(100);
      const { key } = await stack.newKey(user);
      const ask = () =>
        fetch(`${stack.gateway.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello' }] }),
        });
      const before = stack.upstream.received.length;
      const answer = await eventually(async () => {
        const response = await ask();
        const body = (await response.json()) as { error?: { code?: string; message?: string } };
        expect(body.error?.code).not.toBe('model_not_found');
        return { status: response.status, body };
      });
      expect(answer.status).toBe(400);
      // Refused at the edge now, as any body holding a NUL is (issue 15), in OpenAI's shape.
      expect(answer.body.error).toMatchObject({ code: 'unstorable_text' });
      expect(answer.body.error?.message).toMatch(/^model/);
      expect(stack.upstream.received.length).toBe(before);
      expect(await gatewayCharges(user)).toBe(0);
      expect(await stack.guardView(user)).toMatchObject({ reserved: 0, unreflected: 0 });
    } finally {
      await call('DELETE', `${stack.store.url}/admin/price-rules/${rule.body.id}`);
    }
  });
});
