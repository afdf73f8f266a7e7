import { OrdersService } from '../apps/credit-store/src/orders/orders.service';
import { useCreditStore } from './support/apps';
import { scalar } from './support/db';
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
  const app = useCreditStore();

  const product = async (overrides: Record<string, unknown> = {}) => {
    const answer = await call<{ id: number }>('POST', `${app.store.url}/admin/products`, {
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
    call<OrderBody>('POST', `${app.store.url}/orders`, {
      as: 'internal',
      body: { user_id: user, product_id: productId, quantity },
    });
  const paid = (id: string, payment_ref?: string) =>
    call<OrderBody>('POST', `${app.store.url}/orders/${id}/paid`, { body: { payment_ref } });
  const balance = async (user: string) =>
    (await call<{ balance: number }>('GET', `${app.store.url}/accounts/${user}`)).body.balance;

  it('lists only active products, by sort order, without a token', async () => {
    const late = await product({ sort_order: 900, name: 'late' });
    const early = await product({ sort_order: -900, name: 'early' });
    const hidden = await product({ status: 'inactive' });
    const answer = await call<{ id: number }[]>('GET', `${app.store.url}/products`, { as: 'none' });
    const ids = answer.body.map((p) => p.id);
    expect(ids.indexOf(early)).toBeLessThan(ids.indexOf(late));
    expect(ids).not.toContain(hidden);
  });

  it('refuses a second product with the same sku (409 already_exists)', async () => {
    const sku = unique('sku');
    await product({ sku });
    const again = await call('POST', `${app.store.url}/admin/products`, {
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
    await call('PATCH', `${app.store.url}/admin/products/${id}`, {
      body: { credit_amount: 1, name: 'changed' },
    });
    const fetched = await call<OrderBody>(
      'GET',
      `${app.store.url}/orders/${created.body.order_id}`,
    );
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
      await scalar(app.db, `SELECT count(*) FROM ledger_entries WHERE order_id = $1`, [order_id]),
    ).toBe(1);
    const again = await paid(order_id, 'another');
    expect(again.body).toEqual(answers[0].body);
    expect(await balance(user)).toBe(1000);
  });

  it('credits through one ledger entry named after the order, and answers a repeat the same', async () => {
    const user = unique('user');
    const { order_id } = (await order(user, await product(), 2)).body;
    const first = await paid(order_id, 'pay-1');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'credited',
      payment_ref: 'pay-1',
      ledger_event_id: `tally:order:${order_id}`,
    });
    const second = await paid(order_id);
    expect(second).toEqual(first);

    const entry = await call<Record<string, unknown>>(
      'GET',
      `${app.store.url}/ledger/${encodeURIComponent(`tally:order:${order_id}`)}`,
    );
    expect(entry.body).toMatchObject({
      user_id: user,
      source: 'purchase',
      direction: 'income',
      amount: 1000,
      order_id,
      source_ref_id: 'pay-1',
    });
    const account = await call<Record<string, unknown>>('GET', `${app.store.url}/accounts/${user}`);
    expect(account.body).toMatchObject({ balance: 1000, total_recharged: 1000 });
  });

  it('finishes an order left paid by a crash before crediting, on the next callback', async () => {
    const user = unique('user');
    const { order_id } = (await order(user, await product(), 1)).body;
    // What the first transaction leaves behind when the process dies before the second one.
    await app.db.query(
      `UPDATE orders SET status = 'paid', payment_ref = 'pay-first', paid_at = now()
        WHERE order_id = $1`,
      [order_id],
    );
    expect(await balance(user)).toBe(0);
    const answers = await Promise.all([paid(order_id, 'pay-retry'), paid(order_id, 'pay-retry')]);
    for (const answer of answers) {
      expect(answer.body).toMatchObject({ status: 'credited', payment_ref: 'pay-first' });
    }
    expect(await balance(user)).toBe(500);
    expect(
      await scalar(app.db, `SELECT count(*) FROM ledger_entries WHERE order_id = $1`, [order_id]),
    ).toBe(1);
  });

  it('cancels only pending orders, and never pays a cancelled one', async () => {
    const user = unique('user');
    const productId = await product();
    const first = (await order(user, productId)).body.order_id;
    const cancelled = await call<OrderBody>('POST', `${app.store.url}/orders/${first}/cancel`, {
      as: 'internal',
    });
    expect(cancelled.body.status).toBe('cancelled');
    const again = await call<OrderBody>('POST', `${app.store.url}/orders/${first}/cancel`);
    expect(again).toEqual(cancelled);
    const refused = await paid(first);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('order_not_payable');

    const second = (await order(user, productId)).body.order_id;
    await paid(second);
    const late = await call<OrderBody>('POST', `${app.store.url}/orders/${second}/cancel`, {
      as: 'internal',
    });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('order_not_payable');
    expect(await balance(user)).toBe(1000);
  });

  it('asks for a token everywhere but the public catalogue, and the admin token for products', async () => {
    const { order_id } = (await order(unique('user'), await product())).body;
    for (const [method, path] of [
      ['POST', '/orders'],
      ['GET', `/orders/${order_id}`],
      ['POST', `/orders/${order_id}/paid`],
      ['POST', `/orders/${order_id}/cancel`],
      ['GET', '/admin/products'],
      ['POST', '/admin/products'],
      ['PATCH', '/admin/products/1'],
    ] as const) {
      const answer = await call(method, `${app.store.url}${path}`, {
        as: 'none',
        body: method === 'GET' ? undefined : {},
      });
      expect([method, path, answer.status, answer.body.code]).toEqual([
        method,
        path,
        401,
        'unauthorized',
      ]);
    }
    for (const [method, path] of [
      ['GET', '/admin/products'],
      ['POST', '/admin/products'],
    ] as const) {
      const answer = await call(method, `${app.store.url}${path}`, {
        as: 'internal',
        body: method === 'GET' ? undefined : {},
      });
      expect([path, answer.status, answer.body.code]).toEqual([path, 403, 'forbidden']);
    }
    const order_ = await call<OrderBody>('GET', `${app.store.url}/orders/${order_id}`);
    expect(order_.body.status).toBe('pending');
  });

  it('lets only the admin token mark an order paid', async () => {
    const { order_id } = (await order(unique('user'), await product())).body;
    const asService = await call('POST', `${app.store.url}/orders/${order_id}/paid`, {
      as: 'internal',
      body: {},
    });
    expect(asService.status).toBe(403);
    expect(asService.body.code).toBe('forbidden');
    expect((await call<OrderBody>('GET', `${app.store.url}/orders/${order_id}`)).body.status).toBe(
      'pending',
    );
  });

  it.each([
    ['an unknown product', { product_id: 999999999 }, 404, 'not_found'],
    ['quantity 0', { quantity: 0 }, 400, 'validation_failed'],
    ['quantity 1001', { quantity: 1001 }, 400, 'validation_failed'],
    ['a bad user_id', { user_id: 'bad id' }, 400, 'validation_failed'],
    ['an unknown field', { coupon: 'x' }, 400, 'validation_failed'],
    ['a fractional quantity', { quantity: 1.5 }, 400, 'validation_failed'],
    ['a string product_id', { product_id: 'one' }, 400, 'validation_failed'],
    ['a product id no bigint can hold', { product_id: 1e20 }, 400, 'validation_failed'],
  ])('refuses an order with %s and writes nothing', async (_, change, status, code) => {
    const user = unique('user');
    const answer = await call('POST', `${app.store.url}/orders`, {
      body: { user_id: user, product_id: await product(), quantity: 1, ...change },
    });
    expect(answer.status).toBe(status);
    expect(answer.body.code).toBe(code);
    expect(await scalar(app.db, `SELECT count(*) FROM orders WHERE user_id = $1`, [user])).toBe(0);
  });

  it.each([
    ['a negative price', { price_cent: -1 }],
    ['a lowercase currency', { currency: 'usd' }],
    ['zero credits', { credit_amount: 0 }],
    ['an unknown status', { status: 'gone' }],
  ])('refuses a product with %s and writes nothing', async (_, change) => {
    const sku = unique('sku');
    const answer = await call('POST', `${app.store.url}/admin/products`, {
      body: { sku, name: 'x', credit_amount: 1, price_cent: 1, currency: 'USD', ...change },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_failed');
    expect(await scalar(app.db, `SELECT count(*) FROM products WHERE sku = $1`, [sku])).toBe(0);
  });

  it('answers 404 not_found for an unknown order on every order endpoint', async () => {
    const id = unique('nope');
    for (const [method, path, as] of [
      ['GET', `/orders/${id}`, 'internal'],
      ['POST', `/orders/${id}/paid`, 'admin'],
      ['POST', `/orders/${id}/cancel`, 'internal'],
    ] as const) {
      const answer = await call(method, `${app.store.url}${path}`, { as });
      expect([path, answer.status, answer.body.code]).toEqual([path, 404, 'not_found']);
    }
  });

  it('lists every product for the admin, and a deactivated one can no longer be ordered', async () => {
    const id = await product();
    const off = await call<{ status: string }>('PATCH', `${app.store.url}/admin/products/${id}`, {
      body: { status: 'inactive' },
    });
    expect(off.body.status).toBe('inactive');
    const all = await call<{ id: number }[]>('GET', `${app.store.url}/admin/products`);
    expect(all.body.map((p) => p.id)).toContain(id);
    const listed = await call<{ id: number }[]>('GET', `${app.store.url}/products`, { as: 'none' });
    expect(listed.body.map((p) => p.id)).not.toContain(id);

    const user = unique('user');
    const refused = await order(user, id);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('order_not_payable');
    expect(await scalar(app.db, `SELECT count(*) FROM orders WHERE user_id = $1`, [user])).toBe(0);
  });

  it.each([
    ['a null name', { name: null }],
    ['a null sku', { sku: null }],
    ['a null credit_amount', { credit_amount: null }],
    ['a null status', { status: null }],
    ['a fractional price', { price_cent: 1.5 }],
  ])('refuses a product change with %s and changes nothing', async (_, change) => {
    const id = await product();
    const answer = await call('PATCH', `${app.store.url}/admin/products/${id}`, { body: change });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_failed');
    expect(
      await scalar(app.db, `SELECT count(*) FROM products WHERE id = $1 AND name = 'Pack'`, [id]),
    ).toBe(1);
  });

  it.each([
    ['abc', 400, 'validation_failed'],
    ['99999999999999999999', 400, 'validation_failed'],
    ['999999999', 404, 'not_found'],
  ])('answers a product change of id %s with %i', async (id, status, code) => {
    const answer = await call('PATCH', `${app.store.url}/admin/products/${id}`, {
      body: { name: 'x' },
    });
    expect([answer.status, answer.body.code]).toEqual([status, code]);
  });

  it('refuses an empty payment_ref and leaves the order pending', async () => {
    const { order_id } = (await order(unique('user'), await product())).body;
    const answer = await paid(order_id, '');
    expect([answer.status, answer.body.code]).toEqual([400, 'validation_failed']);
    const fetched = await call<OrderBody>('GET', `${app.store.url}/orders/${order_id}`);
    expect(fetched.body.status).toBe('pending');
  });

  it('changes only the fields given, clears optional ones with null, keeps skus unique', async () => {
    const id = await product({ badge: 'hot', original_price_cent: 999 });
    const changed = await call<Record<string, unknown>>(
      'PATCH',
      `${app.store.url}/admin/products/${id}`,
      { body: { price_cent: 299, badge: null } },
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      id,
      name: 'Pack',
      price_cent: 299,
      original_price_cent: 999,
      badge: null,
      credit_amount: 500,
    });
    const taken = unique('sku');
    await product({ sku: taken });
    const clash = await call('PATCH', `${app.store.url}/admin/products/${id}`, {
      body: { sku: taken },
    });
    expect([clash.status, clash.body.code]).toEqual([409, 'already_exists']);
  });

  it('breaks sort_order ties by id in the public listing', async () => {
    const sort_order = 424242;
    const first = await product({ sort_order });
    const second = await product({ sort_order });
    const listed = await call<{ id: number; sort_order: number }[]>(
      'GET',
      `${app.store.url}/products`,
      { as: 'none' },
    );
    const ids = listed.body.filter((p) => p.sort_order === sort_order).map((p) => p.id);
    expect(ids).toEqual([first, second]);
    const orders = listed.body.map((p) => p.sort_order);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
  });

  describe('with an Idempotency-Key', () => {
    const keyed = (user: string, productId: number, key: string, quantity = 2) =>
      call<OrderBody>('POST', `${app.store.url}/orders`, {
        as: 'internal',
        body: { user_id: user, product_id: productId, quantity },
        headers: { 'idempotency-key': key },
      });
    const ordersOf = (user: string) =>
      scalar(app.db, `SELECT count(*) FROM orders WHERE user_id = $1`, [user]);

    it('answers a retry with the order first made, and makes one order out of 20 racing ones', async () => {
      const productId = await product();
      const user = unique('user');
      const key = unique('checkout');
      const first = await keyed(user, productId, key);
      expect(first.status).toBe(201);
      const retry = await keyed(user, productId, key);
      expect([retry.status, retry.body.order_id]).toEqual([201, first.body.order_id]);

      // Straight to the service, so that all 20 look the key up before any of them inserts (over
      // HTTP the first one is usually done before the last one arrives).
      const racer = unique('user');
      const raceKey = unique('checkout');
      const orders = app.store.app.get(OrdersService);
      const made = await Promise.all(
        Array.from({ length: 20 }, () =>
          orders.create({ user_id: racer, product_id: productId, quantity: 2 }, raceKey),
        ),
      );
      expect(new Set(made.map((o) => o.order_id)).size).toBe(1);
      expect(await ordersOf(racer)).toBe(1);
      expect(await ordersOf(user)).toBe(1);
    });

    it('refuses the key with another quantity (409), keeps keys per user, and checks its form', async () => {
      const productId = await product();
      const user = unique('user');
      const key = unique('checkout');
      expect((await keyed(user, productId, key, 2)).status).toBe(201);
      const other = await keyed(user, productId, key, 3);
      expect([other.status, other.body.code]).toEqual([409, 'already_exists']);
      expect(await ordersOf(user)).toBe(1);

      const someoneElse = unique('user');
      expect((await keyed(someoneElse, productId, key, 3)).status).toBe(201);

      for (const bad of ['', 'a b', 'a'.repeat(129), 'a,b', '-x']) {
        const refused = await keyed(unique('user'), productId, bad);
        expect([bad, refused.status, refused.body.code]).toEqual([bad, 400, 'validation_failed']);
      }
      // Without a key, two requests are two orders, as before.
      const plain = unique('user');
      await order(plain, productId);
      await order(plain, productId);
      expect(await ordersOf(plain)).toBe(2);
    });

    it('answers a retry with the order as it is now, even once it is credited', async () => {
      const productId = await product();
      const user = unique('user');
      const key = unique('checkout');
      const first = await keyed(user, productId, key);
      expect((await paid(first.body.order_id, 'pay-1')).body.status).toBe('credited');
      const retry = await keyed(user, productId, key);
      expect([retry.status, retry.body.order_id, retry.body.status]).toEqual([
        201,
        first.body.order_id,
        'credited',
      ]);
    });
  });
});
