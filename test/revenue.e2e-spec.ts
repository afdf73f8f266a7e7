import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { ReconciliationService } from '../apps/credit-store/src/finance/reconciliation.service';
import { GrantVoidsService } from '../apps/credit-store/src/grants/grant-voids.service';
import { GrantsService } from '../apps/credit-store/src/grants/grants.service';
import { LedgerService } from '../apps/credit-store/src/ledger/ledger.service';
import { orderEventId } from '../apps/credit-store/src/orders/order';
import { OrdersService } from '../apps/credit-store/src/orders/orders.service';
import { ProductsService } from '../apps/credit-store/src/products/products.service';
import { RefundsService } from '../apps/credit-store/src/refunds/refunds.service';
import { useCreditStore } from './support/apps';
import { rows } from './support/db';
import { call } from './support/http';
import { TEST_TOKENS } from './support/test-env';
import { unique } from './support/wait';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
let nextCurrency = 0;

/**
 * A currency of one test alone (revenue is system-wide and other suites share the database; they
 * use real codes, these all start with Q): QAA, QAB, ... in turn.
 */
function testCurrency(): string {
  const n = nextCurrency++;
  return `Q${LETTERS[Math.floor(n / 26) % 26]}${LETTERS[n % 26]}`;
}

interface RevenueRow {
  day: string;
  currency: string;
  opening_deferred: number;
  sales: number;
  recognized: number;
  breakage: number;
  refunds: number;
  closing_deferred: number;
}

describe('revenue: grant value, exact recognition and the rollforward', () => {
  const app = useCreditStore();
  const services = () => ({
    ledger: app.store.app.get(LedgerService),
    orders: app.store.app.get(OrdersService),
    products: app.store.app.get(ProductsService),
    refunds: app.store.app.get(RefundsService),
    grants: app.store.app.get(GrantsService),
    voids: app.store.app.get(GrantVoidsService),
    reconciliation: app.store.app.get(ReconciliationService),
  });

  const revenue = async (currency: string, query = '') => {
    const res = await call<{ rows: RevenueRow[] }>(
      'GET',
      `${app.store.url}/finance/revenue?currency=${currency}${query}`,
    );
    expect(res.status).toBe(200);
    return res.body.rows;
  };
  const today = async (currency: string) => {
    const rows = await revenue(currency);
    return rows[rows.length - 1];
  };

  const buy = async (user: string, credits: number, cents: number, currency: string) => {
    const { orders, products } = services();
    const product = await products.create({
      sku: unique('rev-sku'),
      name: `${credits} credits`,
      credit_amount: credits,
      price_cent: cents,
      currency,
    });
    const order = await orders.create({ user_id: user, product_id: product.id, quantity: 1 });
    await orders.markPaid(order.order_id, unique('pay'));
    return order.order_id;
  };
  const charge = async (user: string, amount: number) => {
    const event_id = unique('rev-charge');
    const [outcome] = await services().ledger.applyMovements([
      { event_id, user_id: user, source: 'chat', direction: 'expense', amount: BigInt(amount) },
    ]);
    expect(outcome.kind).toBe('applied');
    return event_id;
  };
  const expireNow = async (user: string, grant: string) => {
    await app.db.query(
      `UPDATE grants SET expires_at = now() - interval '1 second' WHERE event_id = $1`,
      [grant],
    );
    await services().ledger.expireGrants([user]);
  };
  const allocationValues = async (eventId: string) =>
    (
      await rows<{ allocations: { grant: string; amount: string; value?: string }[] }>(
        app.db,
        `SELECT allocations FROM ledger_entries WHERE event_id = $1`,
        [eventId],
      )
    )[0].allocations.map((a) => [a.grant, Number(a.amount), Number(a.value)]);

  it('matches a hand calculation to the cent', async () => {
    const currency = testCurrency();
    const user = unique('rev-user');
    // A: 1,000 credits for 999 cents, B: 500 credits for 1,000 cents. A expires first, so it is
    // drawn first (FIFO by expiry); B never expires.
    const a = orderEventId(await buy(user, 1000, 999, currency));
    const orderB = await buy(user, 500, 1000, currency);
    const b = orderEventId(orderB);
    await app.db.query(
      `UPDATE grants SET expires_at = now() + interval '1 hour' WHERE event_id = $1`,
      [a],
    );
    expect(await today(currency)).toMatchObject({ sales: 1999, closing_deferred: 1999 });

    // Deferred value of a grant = floor(value × remaining / amount).
    // Charge 250 from A: A 1000 → 750 credits; deferred floor(999 × 750 / 1000) = floor(749.25)
    // = 749; recognized 999 − 749 = 250.
    const first = await charge(user, 250);
    expect(await allocationValues(first)).toEqual([[a, 250, 250]]);
    // Charge 150 from A: A 750 → 600; deferred floor(999 × 600 / 1000) = floor(599.4) = 599;
    // recognized 749 − 599 = 150. Deferred in all: 599 (A) + 1000 (B) = 1599.
    const second = await charge(user, 150);
    expect(await allocationValues(second)).toEqual([[a, 150, 150]]);
    expect(await today(currency)).toMatchObject({ recognized: 400, closing_deferred: 1599 });

    // A expires holding 600 credits: breakage 599 − 0 = 599 (the 0.4 cent floored away when A
    // was drawn went to recognition: 400 credits at 0.999 cent recognized 400, not 399.6).
    await expireNow(user, a);
    expect(await today(currency)).toMatchObject({ breakage: 599, closing_deferred: 1000 });

    // Charge 300 from B: B 500 → 200 credits; deferred floor(1000 × 200 / 500) = 400;
    // recognized 1000 − 400 = 600. Spent in all: 250 + 150 (A) + 300 (B) = 700.
    const third = await charge(user, 300);
    expect(await allocationValues(third)).toEqual([[b, 300, 600]]);
    const shown = await call<{ allocations: unknown[] }>('GET', `${app.store.url}/ledger/${third}`);
    expect(shown.body.allocations).toEqual([{ grant: b, amount: 300, value: 600 }]);

    // Order B refunded: it takes B's 200 credits first (deferred 400 → 0: refunds 400), the
    // other 300 of its 500 go into overdraft (no grant, no value).
    await services().orders.refund(orderB, null, 'chargeback');

    // Sales 999 + 1000 = 1999 = recognized (250 + 150 + 600 = 1000) + breakage 599
    // + refunds 400 + deferred 0.
    const row = await today(currency);
    expect(row).toEqual({
      day: new Date().toISOString().slice(0, 10),
      currency,
      opening_deferred: 0,
      sales: 1999,
      recognized: 1000,
      breakage: 599,
      refunds: 400,
      closing_deferred: 0,
    });
    const report = await services().reconciliation.reconcile();
    expect(report.mismatches).toEqual([]);

    // The reconciliation sees a grant whose value its entries do not account for, and daily
    // totals that do not add up to the value of the remaining credits.
    await app.db.query(`UPDATE grants SET value_cent = 1000 WHERE event_id = $1`, [a]);
    await app.db.query(
      `UPDATE revenue_days SET sales = sales + 1 WHERE currency = $1 AND shard =
         (SELECT min(shard) FROM revenue_days WHERE currency = $1)`,
      [currency],
    );
    try {
      const broken = await services().reconciliation.reconcile();
      expect(broken.mismatches).toEqual(
        expect.arrayContaining([
          {
            user_id: user,
            check: 'grant_value_moved_by_entries',
            ref: a,
            expected: '1000',
            actual: '999',
          },
          {
            user_id: '*',
            check: 'deferred_revenue_is_value_of_credits',
            ref: currency,
            expected: '0',
            actual: '1',
          },
        ]),
      );
    } finally {
      await app.db.query(`UPDATE grants SET value_cent = 999 WHERE event_id = $1`, [a]);
      await app.db.query(
        `UPDATE revenue_days SET sales = sales - 1 WHERE currency = $1 AND shard =
           (SELECT min(shard) FROM revenue_days WHERE currency = $1)`,
        [currency],
      );
    }
    expect((await services().reconciliation.reconcile()).mismatches).toEqual([]);
  });

  it('a charge refunded after its order was refunded takes no value back out of recognition', async () => {
    const { grants, refunds, orders } = services();
    const currency = testCurrency();
    const user = unique('rev-late-refund');
    const order = await buy(user, 1000, 1000, currency);
    // A free grant that never expires, made after the order's: drawn after it (FIFO by creation).
    await grants.grant(user, {
      event_id: unique('gift'),
      amount: 500,
      source: 'gift',
      expires_at: null,
    });
    const charged = await charge(user, 300);
    expect(await today(currency)).toMatchObject({ recognized: 300, closing_deferred: 700 });
    // The order refunded: its grant's 700 left (refunds 700), the other 300 from the gift.
    await orders.refund(order, null, 'chargeback');
    expect(await today(currency)).toMatchObject({
      recognized: 300,
      refunds: 700,
      closing_deferred: 0,
    });

    // The charge refunded: its 300 credits come back, but not onto the refunded order's grant,
    // whose cash went back: no value leaves recognition, none is deferred again...
    const refund = await refunds.refund(user, { event_id: unique('rf'), refund_of: charged });
    expect(refund.amount).toBe(300);
    expect(refund.allocations).toEqual([]);
    expect(await today(currency)).toMatchObject({
      recognized: 300,
      refunds: 700,
      closing_deferred: 0,
    });
    // ...and spending them recognizes nothing more.
    await charge(user, 300);
    expect(await today(currency)).toMatchObject({
      sales: 1000,
      recognized: 300,
      refunds: 700,
      closing_deferred: 0,
    });
    expect((await services().reconciliation.reconcile()).mismatches).toEqual([]);
  });

  it('a charge into overdraft, paid back by a purchase, then refunded: its credits come back worthless, the value stays recognized', async () => {
    const { refunds } = services();
    const currency = testCurrency();
    const user = unique('rev-overdraft');
    const charged = await charge(user, 300);
    // 300 of the purchase pay the debt: their value is recognized at once.
    await buy(user, 1000, 1000, currency);
    expect(await today(currency)).toMatchObject({ recognized: 300, closing_deferred: 700 });
    // The refund's 300 credits come back as its own grant, worth nothing: the ledger does not
    // know which income paid this charge's overdraft (see the README), so no value moves...
    const refund = await refunds.refund(user, { event_id: unique('rf'), refund_of: charged });
    expect(refund.allocations).toEqual([]);
    const [own] = await rows<{ remaining: string; value_cent: string }>(
      app.db,
      `SELECT remaining, value_cent FROM grants WHERE event_id = $1`,
      [refund.event_id],
    );
    expect(own).toEqual({ remaining: '300', value_cent: '0' });
    expect(await today(currency)).toMatchObject({ recognized: 300, closing_deferred: 700 });
    // ...and the totals still tie out to the cent when everything is spent.
    await charge(user, 1000);
    expect(await today(currency)).toMatchObject({
      sales: 1000,
      recognized: 1000,
      closing_deferred: 0,
    });
    expect((await services().reconciliation.reconcile()).mismatches).toEqual([]);
  });

  it('a manual grant may carry a value; free grants are worth 0; bad values are 400s', async () => {
    const currency = testCurrency();
    const user = unique('rev-manual');
    const grant = (body: Record<string, unknown>) =>
      call<{ message?: string[] }>('POST', `${app.store.url}/accounts/${user}/grants`, {
        body: { event_id: unique('g'), amount: 300, source: 'manual', ...body },
      });
    expect((await grant({ value_cent: 100, currency })).status).toBe(201);
    expect((await grant({})).status).toBe(201);
    const missing = await grant({ value_cent: 100 });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.body)).toContain('currency');
    const negative = await grant({ value_cent: -1, currency });
    expect(negative.status).toBe(400);
    expect(JSON.stringify(negative.body)).toContain('value_cent');
    // 300 credits of the valued grant, 300 free: FIFO by creation draws the valued one first.
    // Charge 100: deferred floor(100 × 200 / 300) = 66, recognized 100 − 66 = 34.
    await charge(user, 100);
    expect(await today(currency)).toMatchObject({
      sales: 100,
      recognized: 34,
      closing_deferred: 66,
    });
  });

  it('rejects a bad window with a 400 naming the field, and serves the rollforward as CSV', async () => {
    const bad = await call('GET', `${app.store.url}/finance/revenue?from=2026-02-30`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('from');
    const reversed = await call(
      'GET',
      `${app.store.url}/finance/revenue?from=2026-03-02&to=2026-03-01`,
    );
    expect(reversed.status).toBe(400);
    const currency = testCurrency();
    const user = unique('rev-csv');
    await buy(user, 10, 25, currency);
    const res = await fetch(`${app.store.url}/finance/revenue.csv?currency=${currency}`, {
      headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const text = await res.text();
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'day,currency,opening_deferred,sales,recognized,breakage,refunds,closing_deferred',
    );
    expect(lines[lines.length - 1]).toBe(
      `${new Date().toISOString().slice(0, 10)},${currency},0,25,0,0,0,25`,
    );
  });

  it('keeps revenue, the overview and redrives to the admin token', async () => {
    for (const [method, path] of [
      ['GET', '/finance/revenue'],
      ['GET', '/finance/revenue.csv'],
      ['GET', '/finance/overview'],
      ['POST', '/admin/dead-letters/1/redrive'],
    ]) {
      expect((await call(method, `${app.store.url}${path}`, { as: 'none' })).status).toBe(401);
      expect((await call(method, `${app.store.url}${path}`, { as: 'internal' })).status).toBe(403);
    }
  });

  type Op =
    | { kind: 'buy'; credits: number; cents: number }
    | { kind: 'gift'; credits: number }
    | { kind: 'charge'; amount: number }
    | { kind: 'expire'; pick: number }
    | { kind: 'refund'; pick: number; amount: number | null }
    | { kind: 'orderRefund'; pick: number }
    | { kind: 'void'; pick: number };

  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('buy' as const),
        credits: fc.integer({ min: 1, max: 400 }),
        cents: fc.integer({ min: 0, max: 2000 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('gift' as const),
        credits: fc.integer({ min: 1, max: 200 }),
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('charge' as const),
        amount: fc.integer({ min: 1, max: 300 }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('expire' as const), pick: fc.nat() }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('refund' as const),
        pick: fc.nat(),
        amount: fc.option(fc.integer({ min: 1, max: 200 })),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('orderRefund' as const), pick: fc.nat() }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), pick: fc.nat() }) },
  );

  /**
   * Per valued grant of `user`: its value, and what its entries' allocations moved, by kind.
   * No cent lost: value = recognized + breakage + refunds + deferred, where deferred is
   * floor(value × remaining / amount) of the grant as stored.
   */
  async function grantLedgers(db: DataSource, user: string) {
    return rows<{
      event_id: string;
      value: string;
      at_start: string;
      deferred: string;
      moved: string;
    }>(
      db,
      `SELECT g.event_id, g.value_cent::text AS value,
              (g.value_cent - div(g.value_cent::numeric * (g.amount - g.debt_covered), g.amount))::text
                AS at_start,
              div(g.value_cent::numeric * g.remaining, g.amount)::text AS deferred,
              COALESCE((SELECT SUM(CASE WHEN e.direction = 'income' THEN -(a->>'value')::bigint
                                        ELSE (a->>'value')::bigint END)
                          FROM ledger_entries e, jsonb_array_elements(e.allocations) a
                         WHERE e.user_id = g.user_id AND a->>'grant' = g.event_id
                           AND a ? 'value'), 0)::text AS moved
         FROM grants g WHERE g.user_id = $1 AND g.value_cent > 0`,
      [user],
    );
  }

  it('random purchases, charges, expiries and refunds: every step ties out, no cent lost', async () => {
    const { grants, refunds, voids, orders } = services();
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 3, maxLength: 25 }), async (ops) => {
        const currency = testCurrency();
        const user = unique('rev-prop');
        const bought: string[] = [];
        const grantIds: string[] = [];
        const charges: string[] = [];
        let sales = 0;
        for (const op of ops) {
          steps++;
          switch (op.kind) {
            case 'buy': {
              const order = await buy(user, op.credits, op.cents, currency);
              bought.push(order);
              grantIds.push(orderEventId(order));
              sales += op.cents;
              break;
            }
            case 'gift': {
              const id = unique('gift');
              await grants.grant(user, { event_id: id, amount: op.credits, source: 'gift' });
              grantIds.push(id);
              break;
            }
            case 'charge':
              charges.push(await charge(user, op.amount));
              break;
            case 'expire':
              if (grantIds.length) await expireNow(user, grantIds[op.pick % grantIds.length]);
              break;
            case 'refund': {
              if (!charges.length) break;
              const of = charges[op.pick % charges.length];
              await refunds
                .refund(user, {
                  event_id: unique('rf'),
                  refund_of: of,
                  ...(op.amount === null ? {} : { amount: op.amount }),
                })
                .catch((error: { code?: string }) => {
                  // Refunding more than is left of a charge is refused, writing nothing.
                  expect(error.code).toBe('refund_exceeds_charge');
                });
              break;
            }
            case 'orderRefund':
              if (bought.length) await orders.refund(bought[op.pick % bought.length], null, null);
              break;
            case 'void':
              if (grantIds.length) await voids.void(grantIds[op.pick % grantIds.length], {});
              break;
          }
          for (const g of await grantLedgers(app.db, user)) {
            expect(BigInt(g.at_start) + BigInt(g.moved) + BigInt(g.deferred)).toBe(BigInt(g.value));
          }
          const days = await revenue(currency);
          const deferredNow = (await grantLedgers(app.db, user)).reduce(
            (sum, g) => sum + Number(g.deferred),
            0,
          );
          if (days.length === 0) {
            expect(sales).toBe(0);
            continue;
          }
          const row = days[days.length - 1];
          expect(row.sales).toBe(sales);
          expect(
            row.opening_deferred + row.sales - row.recognized - row.breakage - row.refunds,
          ).toBe(row.closing_deferred);
          expect(row.closing_deferred).toBe(deferredNow);
        }
      }),
      { numRuns: 40, endOnFailure: true },
    );
    expect((await services().reconciliation.reconcile()).mismatches).toEqual([]);
    process.stdout.write(`revenue properties: ${steps} steps checked\n`);
  });
});
