import { AccountEvent, parseAccountEvent, Topics } from '@tally/contracts';
import { useCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { rows, scalar } from './support/db';
import { call } from './support/http';
import { readTopicUntil } from './support/kafka-helpers';
import { giftGrant } from './support/ledger-calls';
import { eventually, unique } from './support/wait';

interface Event {
  seq: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * Auto top-up: an order made in the transaction of the debit that crosses the threshold, at most
 * one open per account (a partial unique index), and auto_topup.requested with it; past the
 * month's paid cap no order and one auto_topup.limit_reached a month.
 */
describe('auto top-up', () => {
  const app = useCreditStore();
  let productId: number;

  beforeAll(async () => {
    const product = await call<{ id: number }>('POST', `${app.store.url}/admin/products`, {
      body: {
        sku: unique('topup'),
        name: 'Top-up',
        credit_amount: 500,
        price_cent: 999,
        currency: 'USD',
      },
    });
    expect(product.status).toBe(201);
    productId = product.body.id;
  });

  const setAutoTopup = async (user: string, threshold: number, max_per_month = 5) => {
    const res = await call('PUT', `${app.store.url}/accounts/${user}/auto-topup`, {
      body: { threshold, product_id: productId, max_per_month },
    });
    expect(res.status).toBe(200);
  };
  const applied = (eventIds: string[]) =>
    eventually(
      async () =>
        expect(
          await scalar(app.db, `SELECT count(*) FROM ledger_entries WHERE event_id = ANY($1)`, [
            eventIds,
          ]),
        ).toBe(eventIds.length),
      { timeoutMs: 60_000 },
    );
  const charge = async (user: string, amount: number, times = 1) => {
    const event = chargeEvent(user, amount);
    for (let i = 0; i < times; i++) await produceCharges(event);
    await applied([event.event_id]);
    return event.event_id;
  };
  const ordersOf = (user: string) =>
    rows<{ order_id: string; status: string; credit_amount: string }>(
      app.db,
      `SELECT order_id, status, credit_amount FROM orders WHERE user_id = $1 AND auto_topup
        ORDER BY created_at`,
      [user],
    );
  const eventsOf = (user: string, prefix = 'auto_topup.') =>
    rows<Event>(
      app.db,
      `SELECT seq::text, type, data FROM account_events WHERE user_id = $1 AND type LIKE $2 || '%'
        ORDER BY seq`,
      [user, prefix],
    );
  /** The user's auto_topup.* events as published, each valid by the contract, once `count` came. */
  const publishedOf = async (user: string, count: number) => {
    const mine = (messages: { key: string | null; value: string | null }[]) =>
      messages
        .filter((m) => m.key === user)
        .map((m) => {
          const parsed = parseAccountEvent(m.value);
          if (!parsed.ok) throw new Error(`not an account event: ${parsed.reasons.join('; ')}`);
          return parsed.event;
        })
        .filter((e: AccountEvent) => e.type.startsWith('auto_topup.'));
    const messages = await readTopicUntil(
      Topics.accountEvents,
      (all) => new Set(mine(all).map((e) => e.id)).size >= count,
      30_000,
    );
    return [...new Map(mine(messages).map((e) => [e.id, e])).values()];
  };
  const pay = (orderId: string) =>
    call('POST', `${app.store.url}/orders/${orderId}/paid`, {
      body: { payment_ref: unique('pay') },
    });

  it('50 concurrent charges crossing at once make one order and one auto_topup.requested; paid, the next crossing makes another', async () => {
    const user = unique('user');
    await giftGrant(app.store.url, user, 1000);
    await setAutoTopup(user, 600);
    const charges = Array.from({ length: 50 }, () => chargeEvent(user, 10));
    await Promise.all(charges.map((c) => produceCharges(c)));
    // And again, as a redelivery would.
    await Promise.all(charges.slice(0, 10).map((c) => produceCharges(c)));
    await applied(charges.map((c) => c.event_id));

    const orders = await ordersOf(user);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ status: 'pending' });
    const requested = await eventsOf(user);
    expect(requested.map((e) => e.type)).toEqual(['auto_topup.requested']);
    expect(requested[0].data).toMatchObject({
      order_id: orders[0].order_id,
      product_id: productId,
      amount: 500,
      price: 999,
      currency: 'USD',
      threshold: 600,
    });
    expect(Number(requested[0].data.balance_after)).toBeLessThan(600);
    const status = await call('GET', `${app.store.url}/accounts/${user}/auto-topup`);
    expect(status.body).toEqual({
      user_id: user,
      threshold: 600,
      product_id: productId,
      max_per_month: 5,
      open_order_id: orders[0].order_id,
      paid_this_month: 0,
    });

    // While it is open, going back up and crossing again makes no second order.
    await giftGrant(app.store.url, user, 500);
    await charge(user, 500);
    expect(await ordersOf(user)).toHaveLength(1);

    // Paid (twice, as a payment provider retries): credited once; the next crossing orders again.
    expect((await pay(orders[0].order_id)).status).toBe(200);
    expect((await pay(orders[0].order_id)).status).toBe(200);
    const { balance } = (
      await call<{ balance: number }>('GET', `${app.store.url}/accounts/${user}`)
    ).body;
    expect(balance).toBe(1000 - 500 + 500 - 500 + 500);
    await charge(user, balance - 599);
    await charge(user, 1);
    const after = await ordersOf(user);
    expect(after.map((o) => o.status)).toEqual(['credited', 'pending']);
    expect((await eventsOf(user)).map((e) => e.type)).toEqual([
      'auto_topup.requested',
      'auto_topup.requested',
    ]);
    const published = await publishedOf(user, 2);
    expect(published.map((e) => e.data.order_id)).toEqual(after.map((o) => o.order_id));
    // Numbered among the user's other events without a gap.
    const all = await eventsOf(user, '');
    expect(all.map((e) => Number(e.seq))).toEqual(all.map((_, i) => i + 1));
  });

  it('past max_per_month paid auto top-ups: no order, one auto_topup.limit_reached in the month', async () => {
    const user = unique('user');
    await giftGrant(app.store.url, user, 200);
    await setAutoTopup(user, 100, 1);
    await charge(user, 150);
    const [first] = await ordersOf(user);
    expect((await pay(first.order_id)).status).toBe(200);
    // 550 now: cross 100 three more times, climbing back up between them.
    await charge(user, 500);
    await giftGrant(app.store.url, user, 100);
    await charge(user, 100);
    await giftGrant(app.store.url, user, 100);
    await charge(user, 100, 2);
    expect(await ordersOf(user)).toHaveLength(1);
    const events = await eventsOf(user);
    expect(events.map((e) => e.type)).toEqual(['auto_topup.requested', 'auto_topup.limit_reached']);
    expect(events[1].data).toMatchObject({
      product_id: productId,
      max_per_month: 1,
      month: new Date().toISOString().slice(0, 7),
    });
    expect((await publishedOf(user, 2)).map((e) => e.type)).toEqual([
      'auto_topup.requested',
      'auto_topup.limit_reached',
    ]);
  });

  it('the index allows one open auto top-up order per account, whatever the code does', async () => {
    const user = unique('user');
    await giftGrant(app.store.url, user, 100);
    await setAutoTopup(user, 90);
    await charge(user, 20);
    const insert = () =>
      app.db.query(
        `INSERT INTO orders (order_id, user_id, product_id, product, quantity, credit_amount,
                             amount_cent, currency, status, auto_topup)
         SELECT $1, user_id, product_id, product, 1, credit_amount, amount_cent, currency,
                'pending', true
           FROM orders WHERE user_id = $2 AND auto_topup`,
        [unique('order'), user],
      );
    await expect(insert()).rejects.toThrow(/orders_one_open_auto_topup/);
  });

  it('PUT: null turns it off (audited); bad input is a 400 naming the field, nothing written', async () => {
    const user = unique('user');
    const put = (body: unknown) =>
      call('PUT', `${app.store.url}/accounts/${user}/auto-topup`, { body });
    const inactive = await call<{ id: number }>('POST', `${app.store.url}/admin/products`, {
      body: {
        sku: unique('off'),
        name: 'Off',
        credit_amount: 5,
        price_cent: 1,
        currency: 'USD',
        status: 'inactive',
      },
    });
    const cases: [unknown, string][] = [
      [{ threshold: -1, product_id: productId, max_per_month: 1 }, 'threshold'],
      [{ threshold: 1.5, product_id: productId, max_per_month: 1 }, 'threshold'],
      [{ product_id: productId, max_per_month: 1 }, 'threshold'],
      [{ threshold: 10, max_per_month: 1 }, 'product_id'],
      [{ threshold: 10, product_id: 'x', max_per_month: 1 }, 'product_id'],
      [{ threshold: 10, product_id: 999999999, max_per_month: 1 }, 'product_id'],
      [{ threshold: 10, product_id: inactive.body.id, max_per_month: 1 }, 'product_id'],
      [{ threshold: 10, product_id: productId }, 'max_per_month'],
      [{ threshold: 10, product_id: productId, max_per_month: 0 }, 'max_per_month'],
      [{ threshold: 10, product_id: productId, max_per_month: 1, extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await put(body);
      expect([res.status, JSON.stringify(res.body)]).toEqual([400, expect.stringContaining(field)]);
    }
    expect(
      await scalar(app.db, `SELECT count(*) FROM auto_topups WHERE user_id = $1`, [user]),
    ).toBe(0);

    expect((await put({ threshold: 10, product_id: productId, max_per_month: 2 })).body).toEqual({
      user_id: user,
      threshold: 10,
      product_id: productId,
      max_per_month: 2,
    });
    expect((await put({ threshold: null })).body).toEqual({
      user_id: user,
      threshold: null,
      product_id: null,
      max_per_month: null,
    });
    const audits = await rows<{
      before: { threshold: number | null };
      after: { threshold: number | null };
    }>(
      app.db,
      `SELECT before, after FROM audit_records
        WHERE action = 'account.auto_topup.update' AND outcome = 'ok' AND target_id = $1
        ORDER BY at`,
      [user],
    );
    expect(audits.map((a) => [a.before.threshold, a.after.threshold])).toEqual([
      [null, 10],
      [10, null],
    ]);
    // Off: a crossing makes nothing.
    await giftGrant(app.store.url, user, 20);
    await charge(user, 15);
    expect(await ordersOf(user)).toHaveLength(0);
  });
});
