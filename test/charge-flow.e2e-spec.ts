import { RunningApp, startCreditStore, startGateway } from './support/apps';
import { call } from './support/http';
import { eventually, unique } from './support/wait';

interface Account {
  balance: number;
  total_consumed: number;
  total_recharged: number;
  blocked: boolean;
}
interface Entry {
  event_id: string;
  direction: string;
  amount: number;
  balance_before: number;
  balance_after: number;
}

describe('a charge from POST /internal/charges to the credit-store ledger', () => {
  let gateway: RunningApp;
  let store: RunningApp;

  beforeAll(async () => {
    store = await startCreditStore();
    gateway = await startGateway();
  });
  afterAll(async () => {
    await gateway?.close();
    await store?.close();
  });

  const charge = (body: Record<string, unknown>) =>
    call(`POST`, `${gateway.url}/internal/charges`, { as: 'internal', body });

  it('grants 1,000, applies charges of 10, 20 and 30 once each, and refuses a conflicting repeat', async () => {
    const user = unique('user');
    const granted = await call('POST', `${store.url}/accounts/${user}/grants`, {
      body: { event_id: unique('grant'), amount: 1000, source: 'purchase' },
    });
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({ direction: 'income', amount: 1000, balance_after: 1000 });

    const ids = [10, 20, 30].map((amount) => ({ event_id: unique('charge'), amount }));
    const bodies = ids.map(({ event_id, amount }) => ({
      event_id,
      user_id: user,
      amount,
      source: 'chat',
    }));
    for (const body of bodies) {
      const accepted = await charge(body);
      expect(accepted).toEqual({
        status: 202,
        body: { event_id: body.event_id, amount: body.amount, status: 'accepted' },
      });
    }
    // The same request again answers the same; another body under the same event_id is refused.
    expect(await charge(bodies[1])).toEqual({
      status: 202,
      body: { event_id: bodies[1].event_id, amount: 20, status: 'accepted' },
    });
    const conflict = await charge({ ...bodies[1], amount: 21 });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ statusCode: 409, code: 'event_id_conflict' });

    const account = await eventually(async () => {
      const { body } = await call<Account>('GET', `${store.url}/accounts/${user}`, {
        as: 'internal',
      });
      expect(body.balance).toBe(940);
      return body;
    });
    expect(account).toMatchObject({ total_recharged: 1000, total_consumed: 60, blocked: false });

    const { body: page } = await call<{ items: Entry[] }>(
      'GET',
      `${store.url}/accounts/${user}/ledger`,
    );
    const expenses = page.items.filter((e) => e.direction === 'expense').reverse();
    expect(expenses.map((e) => [e.event_id, e.amount])).toEqual(
      ids.map((c) => [c.event_id, -c.amount]),
    );
    const chain = [...page.items].reverse();
    for (let i = 1; i < chain.length; i++) {
      expect(chain[i].balance_before).toBe(chain[i - 1].balance_after);
      expect(chain[i].balance_after).toBe(chain[i].balance_before + chain[i].amount);
    }
    expect(chain[chain.length - 1].balance_after).toBe(940);
  });

  it('records a post-paid charge below zero and then reports the account blocked', async () => {
    const user = unique('user');
    await call('POST', `${store.url}/accounts/${user}/grants`, {
      body: { event_id: unique('grant'), amount: 5, source: 'gift' },
    });
    expect(
      (await charge({ event_id: unique('charge'), user_id: user, amount: 8, source: 'tts' }))
        .status,
    ).toBe(202);
    await eventually(async () => {
      const { body } = await call<Account>('GET', `${store.url}/accounts/${user}`);
      expect(body).toMatchObject({ balance: -3, blocked: true, total_consumed: 8 });
    });
  });

  it('answers an unknown user with a zero, blocked account', async () => {
    const user = unique('nobody');
    const { status, body } = await call('GET', `${store.url}/accounts/${user}`, { as: 'internal' });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      user_id: user,
      balance: 0,
      total_consumed: 0,
      blocked: true,
      updated_at: null,
    });
  });

  it('pages a ledger with an opaque cursor until next_cursor is null', async () => {
    const user = unique('user');
    for (let i = 0; i < 5; i++) {
      await call('POST', `${store.url}/accounts/${user}/grants`, {
        body: { event_id: unique('grant'), amount: i + 1, source: 'reward' },
      });
    }
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const { body } = await call<{ items: Entry[]; next_cursor: string | null }>(
        'GET',
        `${store.url}/accounts/${user}/ledger?limit=2${query}`,
      );
      seen.push(...body.items.map((e) => e.amount));
      cursor = body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([5, 4, 3, 2, 1]);
  });

  it('serves one entry by event_id, and 404 for an unknown one', async () => {
    const user = unique('user');
    const eventId = unique('grant');
    await call('POST', `${store.url}/accounts/${user}/grants`, {
      body: { event_id: eventId, amount: 3, source: 'manual' },
    });
    expect(await call('GET', `${store.url}/ledger/${eventId}`)).toMatchObject({
      status: 200,
      body: { event_id: eventId, user_id: user, amount: 3, source: 'manual' },
    });
    expect(await call('GET', `${store.url}/ledger/${unique('missing')}`)).toMatchObject({
      status: 404,
      body: { code: 'not_found' },
    });
  });
});
