import { useCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { rows } from './support/db';
import { call } from './support/http';
import { accountOf, giftGrant } from './support/ledger-calls';
import { eventually, unique } from './support/wait';

interface Account {
  balance: number;
  total_expired: number;
  total_consumed: number;
  blocked: boolean;
}

describe('order refunds and grant voids', () => {
  const app = useCreditStore();

  const account = (user: string) => accountOf<Account>(app.store.url, user);
  const grant = (user: string, amount: number, expires_at?: string) =>
    giftGrant(app.store.url, user, amount, expires_at);
  const charge = async (user: string, amount: number) => {
    const event = chargeEvent(user, amount);
    await produceCharges(event);
    await eventually(async () =>
      expect((await call('GET', `${app.store.url}/ledger/${event.event_id}`)).status).toBe(200),
    );
    return event.event_id;
  };
  const order = async (user: string, credits: number, paid = true) => {
    const product = await call<{ id: number }>('POST', `${app.store.url}/admin/products`, {
      body: {
        sku: unique('sku'),
        name: 'Pack',
        credit_amount: credits,
        price_cent: 100,
        currency: 'USD',
      },
    });
    const created = await call<{ order_id: string }>('POST', `${app.store.url}/orders`, {
      body: { user_id: user, product_id: product.body.id, quantity: 1 },
    });
    const id = created.body.order_id;
    if (paid) {
      expect((await call('POST', `${app.store.url}/orders/${id}/paid`, { body: {} })).status).toBe(
        200,
      );
    }
    return id;
  };
  const refundOrder = (id: string, body: Record<string, unknown> = {}) =>
    call<{ status: string; code?: string; refund_event_id: string }>(
      'POST',
      `${app.store.url}/orders/${id}/refund`,
      { body },
    );
  const voidGrant = (id: string, body: Record<string, unknown> = {}) =>
    call<{ voided: number; code?: string; entry: { source: string } | null }>(
      'POST',
      `${app.store.url}/grants/${id}/void`,
      { body },
    );
  const sources = async (user: string) =>
    (
      await rows<{ source: string; amount: string }>(
        app.db,
        `SELECT source, amount FROM ledger_entries WHERE user_id = $1 ORDER BY id`,
        [user],
      )
    ).map((e) => [e.source, Number(e.amount)]);
  const reconciled = async () =>
    expect(
      (await call<{ mismatches: unknown[] }>('GET', `${app.store.url}/finance/reconciliation`)).body
        .mismatches,
    ).toEqual([]);

  it('takes back an order’s credits once, into debt (blocked) when they were spent', async () => {
    const user = unique('user');
    const id = await order(user, 100);
    await charge(user, 70);
    const first = await refundOrder(id, { payment_ref: 'chargeback-1', reason: 'chargeback' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'refunded',
      refund_event_id: `tally:order-refund:${id}`,
    });
    expect(await account(user)).toMatchObject({ balance: -70, blocked: true });
    const again = await refundOrder(id, { payment_ref: 'chargeback-1' });
    expect(again.body.status).toBe('refunded');
    expect(await account(user)).toMatchObject({ balance: -70 });
    expect((await sources(user)).filter(([s]) => s === 'order_refund')).toEqual([
      ['order_refund', -100],
    ]);
    await reconciled();
  });

  it('takes the credits from the order’s own grant first', async () => {
    const user = unique('user');
    const soon = await grant(user, 50, new Date(Date.now() + 86_400_000).toISOString());
    const id = await order(user, 100);
    expect((await refundOrder(id)).status).toBe(200);
    const [left] = await rows<{ remaining: string }>(
      app.db,
      `SELECT remaining FROM grants WHERE event_id = $1`,
      [soon],
    );
    expect(left.remaining).toBe('50');
    expect(await account(user)).toMatchObject({ balance: 50, blocked: false });
    await reconciled();
  });

  it('refuses to refund a pending order with a clear code', async () => {
    const id = await order(unique('user'), 10, false);
    const answer = await refundOrder(id);
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('order_not_refundable');
  });

  it('voids what remains of a grant once; a refund to it later is written off again', async () => {
    const user = unique('user');
    const g = await grant(user, 100);
    const charged = await charge(user, 30);
    const voided = await voidGrant(g, { reason: 'promotion withdrawn' });
    expect(voided.status).toBe(200);
    expect(voided.body).toMatchObject({ voided: 70, entry: { source: 'void' } });
    expect((await voidGrant(g)).body).toMatchObject({ voided: 70 });
    expect(await account(user)).toMatchObject({ balance: 0, total_expired: 70 });

    const refund = await call('POST', `${app.store.url}/accounts/${user}/refunds`, {
      body: { event_id: unique('r'), refund_of: charged },
    });
    expect(refund.status).toBe(201);
    expect(await account(user)).toMatchObject({ balance: 0, total_expired: 100 });
    expect((await sources(user)).slice(-2)).toEqual([
      ['refund', 30],
      ['void', -30],
    ]);
    expect((await voidGrant('no-such-grant')).status).toBe(404);
    await reconciled();
  });
});
