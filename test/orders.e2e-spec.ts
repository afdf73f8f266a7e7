import type { DataSource } from 'typeorm';
import { RunningApp, startCreditStore } from './support/apps';
import { connect, scalar } from './support/db';
import { call } from './support/http';
import { unique } from './support/wait';

interface OrderBody {
  order_id: string;
  status: string;
  credit_amount: number;
  amount_cent: number;
  payment_ref: string | null;
  ledger_event_id: string | null;
  product: { name: string; credit_amount: number };
  code?: string;
}

describe('products and orders: pending → paid → credited exactly once', () => {
  let store: RunningApp;
  let db: DataSource;

  beforeAll(async () => {
    store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
    db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(async () => {
    await db?.destroy();
    await store?.close();
  });

  const product = async (overrides: Record<string, unknown> = {}) => {
    const answer = await call<{ id: number }>('POST', `${store.url}/admin/products`, {
      body: {
        sku: unique('sku'),
        name: 'Pack',
        credit_amount: 500,
        price_cent: 499,
        currency: 'USD',
        ...overrides,
      },
    });
    expect(answer.status).toBe(201);
    return answer.body.id;
  };
  const order = async (user: string, productId: number, quantity = 2) =>
    call<OrderBody>('POST', `${store.url}/orders`, {
      as: 'internal',
      body: { user_id: user, product_id: productId, quantity },
    });
  const paid = (id: string, payment_ref?: string) =>
    call<OrderBody>('POST', `${store.url}/orders/${id}/paid`, { body: { payment_ref } });
  const balance = async (user: string) =>
    (await call<{ balance: number }>('GET', `${store.url}/accounts/${user}`)).body.balance;

  it('lists only active products, by sort order, without a token', async () => {
    const late = await product({ sort_order: 900, name: 'late' });
    const early = await product({ sort_order: -900, name: 'early' });
    const hidden = await product({ status: 'inactive' });
    const answer = await call<{ id: number }[]>('GET', `${store.url}/products`, { as: 'none' });
    const ids = answer.body.map((p) => p.id);
    expect(ids.indexOf(early)).toBeLessThan(ids.indexOf(late));
    expect(ids).not.toContain(hidden);
  });

  it('refuses a second product with the same sku (409 already_exists)', async () => {
    const sku = unique('sku');
    await product({ sku });
    const again = await call('POST', `${store.url}/admin/products`, {
      body: { sku, name: 'x', credit_amount: 1, price_cent: 1, currency: 'USD' },
    });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_exists');
  });

  it('snapshots the product in the order: a later price change does not touch it', async () => {
    const id = await product();
    const created = await order(unique('user'), id, 3);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'pending',
      credit_amount: 1500,
      amount_cent: 1497,
    });
    await call('PATCH', `${store.url}/admin/products/${id}`, {
      body: { credit_amount: 1, name: 'changed' },
    });
    const fetched = await call<OrderBody>('GET', `${store.url}/orders/${created.body.order_id}`);
    expect(fetched.body.product).toMatchObject({ name: 'Pack', credit_amount: 500 });
  });

  it('credits an order once under 50 concurrent payment callbacks', async () => {
    const user = unique('user');
    const { order_id } = (await order(user, await product(), 2)).body;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => paid(order_id, `pay-${i}`)),
    );
    expect(answers.every((a) => a.status === 200 && a.body.status === 'credited')).toBe(true);
    expect(new Set(answers.map((a) => a.body.payment_ref)).size).toBe(1);
    expect(await balance(user)).toBe(1000);
    expect(
      await scalar(db, `SELECT count(*) FROM ledger_entries WHERE order_id = $1`, [order_id]),
    ).toBe(1);
    const again = await paid(order_id, 'another');
    expect(again.body).toEqual(answers[0].body);
    expect(await balance(user)).toBe(1000);
  });

  it('cancels only pending orders, and never pays a cancelled one', async () => {
    const user = unique('user');
    const productId = await product();
    const first = (await order(user, productId)).body.order_id;
    const cancelled = await call<OrderBody>('POST', `${store.url}/orders/${first}/cancel`, {
      as: 'internal',
    });
    expect(cancelled.body.status).toBe('cancelled');
    const refused = await paid(first);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('order_not_payable');

    const second = (await order(user, productId)).body.order_id;
    await paid(second);
    const late = await call<OrderBody>('POST', `${store.url}/orders/${second}/cancel`, {
      as: 'internal',
    });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('order_not_payable');
    expect(await balance(user)).toBe(1000);
  });

  it('lets only the admin token mark an order paid', async () => {
    const { order_id } = (await order(unique('user'), await product())).body;
    const asService = await call('POST', `${store.url}/orders/${order_id}/paid`, {
      as: 'internal',
      body: {},
    });
    expect(asService.status).toBe(403);
    expect((await call<OrderBody>('GET', `${store.url}/orders/${order_id}`)).body.status).toBe(
      'pending',
    );
  });

  it.each([
    ['an unknown product', { product_id: 999999999 }, 404, 'not_found'],
    ['quantity 0', { quantity: 0 }, 400, 'validation_failed'],
    ['quantity 1001', { quantity: 1001 }, 400, 'validation_failed'],
    ['a bad user_id', { user_id: 'bad id' }, 400, 'validation_failed'],
    ['an unknown field', { coupon: 'x' }, 400, 'validation_failed'],
  ])('refuses an order with %s and writes nothing', async (_, change, status, code) => {
    const user = unique('user');
    const answer = await call('POST', `${store.url}/orders`, {
      body: { user_id: user, product_id: await product(), quantity: 1, ...change },
    });
    expect(answer.status).toBe(status);
    expect(answer.body.code).toBe(code);
    expect(await scalar(db, `SELECT count(*) FROM orders WHERE user_id = $1`, [user])).toBe(0);
  });

  it.each([
    ['a negative price', { price_cent: -1 }],
    ['a lowercase currency', { currency: 'usd' }],
    ['zero credits', { credit_amount: 0 }],
    ['an unknown status', { status: 'gone' }],
  ])('refuses a product with %s and writes nothing', async (_, change) => {
    const sku = unique('sku');
    const answer = await call('POST', `${store.url}/admin/products`, {
      body: { sku, name: 'x', credit_amount: 1, price_cent: 1, currency: 'USD', ...change },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_failed');
    expect(await scalar(db, `SELECT count(*) FROM products WHERE sku = $1`, [sku])).toBe(0);
  });

  it('answers 404 for an unknown order', async () => {
    expect((await paid(unique('nope'))).status).toBe(404);
  });
});
