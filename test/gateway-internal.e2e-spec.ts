import { ChatStack } from './support/chat-stack';
import { call } from './support/http';
import { eventually, unique } from './support/wait';

describe('the gateway for internal services: priced charges and holds', () => {
  const stack = new ChatStack();
  let voice: string;

  beforeAll(async () => {
    await stack.start();
    voice = unique('voice');
    // 0.5 credit a second of speech.
    const rule = await call('POST', `${stack.store.url}/admin/price-rules`, {
      body: { scene: 'tts', model: voice, mode: 'duration', credits_per_second: '0.5' },
    });
    expect(rule.status).toBe(201);
  });
  afterAll(() => stack.stop());

  const charge = (body: Record<string, unknown>, as: 'internal' | 'admin' = 'internal') =>
    call('POST', `${stack.gateway.url}/internal/charges`, { as, body });

  it('prices model + usage with the same rules as the credit-store, exactly, once', async () => {
    const user = await stack.fundedUser(100);
    const body = {
      event_id: unique('tts'),
      user_id: user,
      source: 'tts',
      model: voice,
      usage: { seconds: 7 },
    };
    // Until the gateway's price book has read the new rule, the charge is refused (and retried).
    await eventually(async () => {
      expect(await charge(body)).toEqual({
        status: 202,
        body: { event_id: body.event_id, amount: 4, status: 'accepted' },
      });
    });
    expect((await charge(body)).body).toMatchObject({ amount: 4 });

    const quote = await call<{ amount: number }>('POST', `${stack.store.url}/quotes`, {
      body: { scene: 'tts', model: voice, usage: { seconds: 7 } },
    });
    expect(quote.body.amount).toBe(4);

    const [entry] = await eventually(async () => {
      const listed = await stack.ledgerCharges(user);
      expect(listed).toHaveLength(1);
      return listed;
    });
    expect(entry).toMatchObject({ amount: -4, pricing: { mode: 'duration', model: voice } });
    expect(entry.pricing).toHaveProperty('rule_version', 1);
  });

  it('refuses amount together with model, a model without a rule, and usage without model', async () => {
    const user = unique('user');
    const base = { user_id: user, source: 'tts' };
    const both = await charge({
      ...base,
      event_id: unique('e'),
      amount: 3,
      model: voice,
      usage: {},
    });
    expect(both).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    const unpriced = await charge({
      ...base,
      event_id: unique('e'),
      model: unique('nothing'),
      usage: { seconds: 1 },
    });
    expect(unpriced).toMatchObject({ status: 422, body: { code: 'no_price_rule' } });
    const noModel = await charge({ ...base, event_id: unique('e'), usage: { seconds: 1 } });
    expect(noModel).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    const neither = await charge({ ...base, event_id: unique('e') });
    expect(neither).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await stack.ledgerCharges(user)).toEqual([]);
  });

  it('authorizes, captures through a charge, and voids holds at the credit-store', async () => {
    const user = await stack.fundedUser(100);
    const hold = (body: Record<string, unknown>, as: 'internal' | 'admin' = 'internal') =>
      call<{ hold_id: string; status: string; amount: number }>(
        'POST',
        `${stack.gateway.url}/internal/holds`,
        { as, body },
      );

    const first = await hold({ user_id: user, amount: 60 });
    expect(first).toMatchObject({ status: 201, body: { status: 'open', amount: 60 } });
    expect(await hold({ user_id: user, amount: 50 })).toMatchObject({
      status: 402,
      body: { code: 'insufficient_credits' },
    });
    expect((await hold({ user_id: user, amount: 'x' })).status).toBe(400);

    const capture = await charge({
      event_id: unique('video'),
      user_id: user,
      source: 'video',
      amount: 45,
      hold_id: first.body.hold_id,
    });
    expect(capture.status).toBe(202);
    await eventually(async () => {
      const { body } = await call(
        'GET',
        `${stack.gateway.url}/internal/holds/${first.body.hold_id}`,
        {
          as: 'internal',
        },
      );
      expect(body).toMatchObject({ status: 'captured' });
    });
    expect(await stack.balance(user)).toBe(55);

    const second = await hold({ user_id: user, amount: 30 });
    expect(second.status).toBe(201);
    const voided = await call(
      'POST',
      `${stack.gateway.url}/internal/holds/${second.body.hold_id}/void`,
      {
        as: 'internal',
      },
    );
    expect(voided).toMatchObject({ status: 200, body: { status: 'voided' } });
    expect(
      (
        await call('GET', `${stack.gateway.url}/internal/holds/nope-${unique('h')}`, {
          as: 'internal',
        })
      ).status,
    ).toBe(404);
  });
});
