import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import type { DataSource } from 'typeorm';
import { Topics } from '@tally/contracts';
import { LedgerService } from '../apps/credit-store/src/ledger/ledger.service';
import { RunningApp, startCreditStore } from './support/apps';
import { launchChromium } from './support/browser';
import { chargeEvent, produceCharges, refundMessage } from './support/charge-events';
import { connect, rows, scalar } from './support/db';
import { call } from './support/http';
import { produce } from './support/kafka-helpers';
import { TEST_TOKENS } from './support/test-env';
import { eventually, unique } from './support/wait';

const ARTIFACTS = join(__dirname, '..', '.cache', 'artifacts');
/** This file's own currency (revenue is system-wide; other suites use real codes). */
const CURRENCY = 'QZC';
/** The heavy user's charge: more than any other suite's account uses in a day. */
const HEAVY = 900_000_000_000;

describe('console: overview, revenue rollforward and dead letters (headless Chromium)', () => {
  let store: RunningApp;
  let db: DataSource;
  let browser: Browser;
  const buyer = unique('buyer');
  const heavy = unique('heavy');
  const lateUser = unique('late');
  const lateCharge = chargeEvent(lateUser, 30);
  const refundId = unique('late-refund');
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // A refund waits 1 s for its charge before it is dead-lettered (refund_of_unknown).
    store = await startCreditStore({
      JOB_INTERVAL_SECONDS: '0',
      REFUND_WAIT_SECONDS: '1',
      REFUND_RETRY_SECONDS: '1',
    });
    db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
    browser = await launchChromium();

    // The buyer pays 999 cents for 1,000 credits and uses 250: recognized 250, deferred
    // floor(999 × 750 / 1000) = 749.
    const product = await call<{ id: number }>('POST', `${store.url}/admin/products`, {
      body: {
        sku: unique('console-sku'),
        name: '1k',
        credit_amount: 1000,
        price_cent: 999,
        currency: CURRENCY,
      },
    });
    const order = await call<{ order_id: string }>('POST', `${store.url}/orders`, {
      body: { user_id: buyer, product_id: product.body.id, quantity: 1 },
    });
    expect(
      (await call('POST', `${store.url}/orders/${order.body.order_id}/paid`, { body: {} })).status,
    ).toBe(200);
    const ledger = store.app.get(LedgerService);
    await ledger.applyMovements([
      { event_id: unique('c'), user_id: buyer, source: 'chat', direction: 'expense', amount: 250n },
    ]);
    await call('POST', `${store.url}/accounts/${heavy}/grants`, {
      body: { event_id: unique('g'), amount: 1_000_000_000_000, source: 'gift' },
    });
    await ledger.applyMovements([
      {
        event_id: unique('c'),
        user_id: heavy,
        source: 'video',
        direction: 'expense',
        amount: BigInt(HEAVY),
      },
    ]);

    // A refund that came before its charge and waited too long: dead-lettered; then its charge.
    await call('POST', `${store.url}/accounts/${lateUser}/grants`, {
      body: { event_id: unique('g'), amount: 100, source: 'gift' },
    });
    await produce(Topics.chargeRequested, [
      refundMessage(lateUser, lateCharge.event_id, 30, refundId, {}),
    ]);
    await eventually(
      async () =>
        expect(
          await scalar(db, `SELECT count(*) FROM dead_letters WHERE event_id = $1`, [refundId]),
        ).toBe(1),
      { timeoutMs: 30_000 },
    );
    await produceCharges(lateCharge);
    await eventually(async () =>
      expect((await call('GET', `${store.url}/ledger/${lateCharge.event_id}`)).status).toBe(200),
    );
  });
  afterAll(async () => {
    await browser?.close();
    await db?.destroy();
    await store?.close();
  });

  async function openConsole(hash = ''): Promise<Page> {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 1000 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${store.url}/console${hash}`);
    await page.fill('#token-input', TEST_TOKENS.admin);
    await page.click('#token-form button[type=submit]');
    return page;
  }
  /** A row's cells as shown, with the no-break spaces of formatted money made plain. */
  const cells = async (page: Page, row: string) =>
    (await page.locator(`${row} td`).allTextContents()).map((t) => t.replace(/\u00a0/g, ' '));
  /** Minor units of this file's currency as the console writes them (not a currency Intl knows). */
  const money = (minor: number) => `${CURRENCY} ${(minor / 100).toFixed(2)}`;
  /** Whether the rows are exactly one, that of this event. */
  const filteredTo = async (list: Locator, eventId: string) =>
    (await list.count()) === 1 && (await list.locator('td.event').textContent()) === eventId;

  it('overview: credits outstanding, deferred revenue, today, the chart, top consumers, orders, reconciliation, dead letters', async () => {
    const page = await openConsole('#/overview');
    const row = `#overview-money tr[data-currency=${CURRENCY}]`;
    await page.locator(row).waitFor();
    // Currency, deferred, sales, recognized, breakage, refunds today.
    expect(await cells(page, row)).toEqual([
      CURRENCY,
      ...[749, 999, 250, 0, 0].map((minor) => money(minor)),
    ]);
    const [{ credits }] = await rows<{ credits: string }>(
      db,
      `SELECT COALESCE(SUM(remaining), 0)::text AS credits FROM grants WHERE spendable`,
    );
    expect(await page.textContent('#overview-credits')).toBe(
      BigInt(credits).toLocaleString('en-US'),
    );
    // Other files of the run consume too: the heavy user is listed, and the list runs downhill.
    const topRows = await page.locator('#overview-top tbody tr').all();
    const top = await Promise.all(topRows.map((r) => r.locator('td').allTextContents()));
    expect(top).toContainEqual([heavy, '900,000,000,000']);
    const used = top.map(([, credits]) => BigInt(credits.replace(/,/g, '')));
    expect(used).toEqual([...used].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
    const orders = await page.locator('#overview-orders tbody td').allTextContents();
    expect(orders.join(' ')).toMatch(/credited \d+/);
    await page.locator('#overview-reconciliation[data-state=ok]').waitFor();
    expect(
      Number(await page.getAttribute('#overview-dead-letters', 'data-open')),
    ).toBeGreaterThanOrEqual(1);
    await page.selectOption('#overview-currency', CURRENCY);
    const bar = (series: string) =>
      page.getAttribute(
        `#overview-chart rect[data-series=${series}][data-day="${today}"]`,
        'data-value',
      );
    expect([await bar('sales'), await bar('recognized'), await bar('breakage')]).toEqual([
      '999',
      '250',
      '0',
    ]);
    expect(await page.locator('#error').isHidden()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'console-overview.png'), fullPage: true });
    await page.context().close();
  });

  it('revenue: the rollforward as a table that ties out, and as CSV', async () => {
    const page = await openConsole('#/revenue');
    await page.fill('#revenue-currency', CURRENCY);
    await page.click('#revenue-form button[type=submit]');
    const row = `#revenue-table tr[data-day="${today}"][data-currency=${CURRENCY}]`;
    await page.locator(row).waitFor();
    // Opening 0 + sales 999 − recognized 250 − breakage 0 − refunds 0 = closing 749.
    expect(await cells(page, row)).toEqual([
      today,
      CURRENCY,
      ...[0, 999, 250, 0, 0, 749].map((minor) => money(minor)),
    ]);
    await page.screenshot({ path: join(ARTIFACTS, 'console-revenue.png'), fullPage: true });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#revenue-csv'),
    ]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')).toContain(`${today},${CURRENCY},0,999,250,0,0,749`);
    await page.context().close();
  });

  it('dead letters: listed with a filter, redriven from the page and seen applied', async () => {
    const page = await openConsole('#/dead-letters');
    await page.fill('#dead-letters-event', refundId);
    await page.click('#dead-letters-form button[type=submit]');
    const row = '#dead-letters-table tbody tr';
    // The list before the filter may show other files' letters: wait for the filtered one.
    const filtered = page.locator(row);
    for (let tries = 0; !(await filteredTo(filtered, refundId)); tries++) {
      if (tries === 150) throw new Error(`the list never showed only ${refundId}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await page.getAttribute(row, 'data-status')).toBe('open');
    expect(await page.textContent(`${row} td.code`)).toBe('refund_of_unknown');
    expect(await page.textContent(`${row} td.event`)).toBe(refundId);
    await page.screenshot({ path: join(ARTIFACTS, 'console-dead-letters.png'), fullPage: true });

    await page.click(`${row} button.redrive`);
    await page.locator(`${row}[data-status=applied]`).waitFor({ timeout: 30_000 });
    expect(await page.textContent(`${row} td.status`)).toBe('applied · redriven 1×');
    expect(await page.textContent('#dead-letters-state')).toContain('1 sent');
    expect(await page.locator(`${row} button.redrive`).isDisabled()).toBe(true);
    await page.screenshot({
      path: join(ARTIFACTS, 'console-dead-letters-redriven.png'),
      fullPage: true,
    });
    expect((await call('GET', `${store.url}/ledger/${refundId}`)).status).toBe(200);
    const account = await call('GET', `${store.url}/accounts/${lateUser}`);
    expect(account.body).toMatchObject({ balance: 100, total_refunded: 30 });
    await page.context().close();
  });
});
