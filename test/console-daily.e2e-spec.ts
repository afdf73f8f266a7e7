import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useCreditStore } from './support/apps';
import { launchChromium } from './support/browser';
import { chargeEvent, produceCharges } from './support/charge-events';
import { rows } from './support/db';
import { call } from './support/http';
import { TEST_TOKENS } from './support/test-env';
import { eventually, unique } from './support/wait';

/** No other file sells in pounds, so this file's revenue figures are its own. */
const CURRENCY = 'GBP';
const GRANT = 1_234_567;
const WIDTHS = [1280, 1920];
/** A description that wraps only if the cell lets it: words, then one long unbroken token. */
const LONG_DESCRIPTION = `${'transcribe the quarterly board meeting recording '.repeat(4)}${'x'.repeat(120)}`;
const LONG_MODEL = 'gpt-4o-mini-transcribe-2025-03-20-extended-context-preview';

/** Text as shown, with the no-break spaces of formatted money made plain. */
const plain = (value: string | null) => (value ?? '').replace(/\u00a0/g, ' ').trim();

/**
 * The console a finance team uses every day, at 1280 and 1920 px: grouped amounts, money as
 * money, the ledger inside its card with request ids, models, keys and refund links, an unknown
 * id said as such, #<user_id> in an open tab, and a wrong token answered in every panel.
 */
describe('finance console for every day (headless Chromium)', () => {
  const app = useCreditStore();
  let browser: Browser;

  const user = unique('daily');
  const apiKey = randomUUID();
  const requestIdOf = (i: number) => `req_${user}_${i}`;
  /** Charge 0 is refunded from page 1 while it sits on page 2 (ten charges come after it). */
  const charges = Array.from({ length: 12 }, (_, i) =>
    chargeEvent(user, 1_000 + i, `${user}-charge-${i}`, {
      source: 'chat',
      source_ref_id: `chatcmpl-${i}`,
      description: i === 11 ? LONG_DESCRIPTION : `chat ${i}`,
      pricing: { mode: 'tokens', model: LONG_MODEL, usage: { input_tokens: 10 } },
      metadata: { request_id: requestIdOf(i), api_key_id: apiKey },
    }),
  );
  const oldRefund = `${user}-refund-old`;
  const newRefund = `${user}-refund-new`;

  beforeAll(async () => {
    browser = await launchChromium();
    const granted = await call('POST', `${app.store.url}/accounts/${user}/grants`, {
      body: { event_id: unique('grant'), amount: GRANT, source: 'purchase' },
    });
    expect(granted.status).toBe(201);
    await produceCharges(...charges);
    await eventually(async () =>
      expect((await call('GET', `${app.store.url}/ledger/${charges[11].event_id}`)).status).toBe(
        200,
      ),
    );
    for (const [eventId, charge] of [
      [oldRefund, charges[0]],
      [newRefund, charges[10]],
    ] as const) {
      const refund = await call('POST', `${app.store.url}/accounts/${user}/refunds`, {
        body: { event_id: eventId, refund_of: charge.event_id, amount: 100, reason: 'bad answer' },
      });
      expect(refund.status).toBe(201);
    }

    // 998 pence for 1,000 credits: sales today £9.98 in this file's own currency.
    const product = await call<{ id: number }>('POST', `${app.store.url}/admin/products`, {
      body: {
        sku: unique('daily-sku'),
        name: '1k',
        credit_amount: 1000,
        price_cent: 998,
        currency: CURRENCY,
      },
    });
    expect(product.status).toBe(201);
    const order = await call<{ order_id: string }>('POST', `${app.store.url}/orders`, {
      body: { user_id: unique('buyer'), product_id: product.body.id, quantity: 1 },
    });
    const paid = await call('POST', `${app.store.url}/orders/${order.body.order_id}/paid`, {
      body: {},
    });
    expect(paid.status).toBe(200);
  });
  const opened: BrowserContext[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((context) => context.close()));
  });
  afterAll(() => browser?.close());

  /** A fresh tab at `width` px on /console<hash>, with the token entered. */
  async function openConsole(width: number, hash: string, token = TEST_TOKENS.admin) {
    const context = await browser.newContext({ viewport: { width, height: 900 } });
    opened.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.store.url}/console${hash}`);
    await page.fill('#token-input', token);
    await page.click('#token-form button[type=submit]');
    return page;
  }

  /**
   * How far each matching element's content reaches past its box (0: it fits). Browser-side code
   * is passed as text: the test build has no DOM types.
   */
  const overflows = (page: Page, selector: string): Promise<number[]> =>
    page.evaluate(
      `[...document.querySelectorAll(${JSON.stringify(selector)})].map((n) => n.scrollWidth - n.clientWidth)`,
    );
  const overflow = async (page: Page, selector: string) => {
    const [only, ...more] = await overflows(page, selector);
    expect(more).toEqual([]);
    return only;
  };

  const ledgerRow = (page: Page, eventId: string) =>
    page.locator(`#ledger-rows tr[data-event-id="${eventId}"]`);

  for (const width of WIDTHS) {
    it(`at ${width} px: grouped credits, the ledger inside its card, request ids, models, keys, refund links`, async () => {
      const page = await openConsole(width, `#${user}`);
      await page.selectOption('#page-size', '10');
      await page.locator('#ledger-page', { hasText: 'Page 1 · 10 entries' }).waitFor();

      const balance = GRANT - charges.reduce((sum, c) => sum + c.payload.amount, 0) + 200;
      expect(await page.textContent('#account-balance')).toBe(balance.toLocaleString('en-US'));
      expect(await page.textContent('#account-total_recharged')).toBe('1,234,567');
      expect(await page.textContent('#account-total_refunded')).toBe('200');
      expect(await page.textContent('#account-blocked')).toBe('Active');

      // The newest charge: its request id instead of the event id, its model and key, grouped amount.
      const newest = ledgerRow(page, charges[11].event_id);
      expect(await newest.locator('td.ref').textContent()).toBe(requestIdOf(11));
      expect(await newest.locator('td.model').textContent()).toBe(LONG_MODEL);
      expect(await newest.locator('td.key').getAttribute('title')).toBe(apiKey);
      expect(await newest.locator('td.key').textContent()).toBe(`${apiKey.slice(0, 8)}…`);
      expect(await newest.locator('td.amount').textContent()).toBe('-1,011');
      expect(await newest.locator('td.description').textContent()).toBe(LONG_DESCRIPTION);

      // Nothing sticks out of the ledger's card; the long description wraps onto lines.
      expect(await overflow(page, '#ledger .table-wrap')).toBeLessThanOrEqual(0);
      expect(await overflow(page, '#ledger')).toBeLessThanOrEqual(0);
      const [cellHeight, lineHeight]: number[] = await page.evaluate(
        `(() => { const td = document.querySelector('#ledger-rows tr[data-event-id="${charges[11].event_id}"] td.description');
                  const style = getComputedStyle(td);
                  return [td.clientHeight, parseFloat(style.fontSize) * 1.2]; })()`,
      );
      expect(cellHeight).toBeGreaterThan(2 * lineHeight);

      // A refund and its charge on one page link both ways.
      const refunded = ledgerRow(page, charges[10].event_id);
      const refund = ledgerRow(page, newRefund);
      expect(await refund.locator('.refund-of').textContent()).toBe(requestIdOf(10));
      expect(await refunded.locator('.refunded-by').textContent()).toBe(newRefund);
      await refund.locator('.refund-of').click();
      await page
        .locator(`#ledger-rows tr.linked[data-event-id="${charges[10].event_id}"]`)
        .waitFor();
      await refunded.locator('.refunded-by').click();
      await page.locator(`#ledger-rows tr.linked[data-event-id="${newRefund}"]`).waitFor();

      // A refund whose charge is on an older page opens that charge on its own.
      const old = ledgerRow(page, oldRefund);
      expect(await old.locator('.refund-of').textContent()).toBe(charges[0].event_id);
      await old.locator('.refund-of').click();
      await page.locator(`#entry[data-event-id="${charges[0].event_id}"]`).waitFor();
      expect(await page.textContent('#entry-id')).toBe(requestIdOf(0));
      expect(await page.textContent('#entry dd[data-field="Amount"]')).toBe('-1,000');
      expect(await overflow(page, '#entry')).toBeLessThanOrEqual(0);
      expect(await page.locator('#error').isHidden()).toBe(true);
    });

    it(`at ${width} px: money as money, credits outstanding next to their value`, async () => {
      const page = await openConsole(width, '#/overview');
      const money = `#overview-money tr[data-currency=${CURRENCY}]`;
      await page.locator(money).waitFor();
      const cells = (await page.locator(`${money} td`).allTextContents()).map(plain);
      // Deferred, sales, recognized, breakage, refunds today.
      expect(cells).toEqual([CURRENCY, '£9.98', '£9.98', '£0.00', '£0.00', '£0.00']);

      const [{ credits }] = await rows<{ credits: string }>(
        app.db,
        `SELECT COALESCE(SUM(remaining), 0)::text AS credits FROM grants WHERE spendable`,
      );
      expect(await page.textContent('#overview-credits')).toBe(
        BigInt(credits).toLocaleString('en-US'),
      );
      expect(plain(await page.textContent('#overview-credits-value'))).toContain('£9.98');
      await page.locator('#overview-reconciliation[data-state=ok]').waitFor();
      const cards = await overflows(page, '#view-overview section.card');
      expect(cards).toHaveLength(4);
      expect(cards.every((reach) => reach <= 0)).toBe(true);

      await page.click('nav.tabs a[data-view=revenue]');
      await page.fill('#revenue-currency', CURRENCY);
      await page.click('#revenue-form button[type=submit]');
      const today = new Date().toISOString().slice(0, 10);
      const row = `#revenue-table tr[data-day="${today}"][data-currency=${CURRENCY}]`;
      await page.locator(row).waitFor();
      expect((await page.locator(`${row} td`).allTextContents()).map(plain)).toEqual([
        today,
        CURRENCY,
        '£0.00',
        '£9.98',
        '£0.00',
        '£0.00',
        '£0.00',
        '£9.98',
      ]);
      expect(await overflow(page, '#revenue')).toBeLessThanOrEqual(0);
    });
  }

  it('says an id that never had an entry has no account yet, instead of a blocked zero', async () => {
    const stranger = unique('stranger');
    const page = await openConsole(1280, '');
    await page.fill('#account-input', stranger);
    await page.click('#lookup-form button[type=submit]');
    await page.locator('#account-unknown').waitFor();
    expect(await page.textContent('#account-unknown')).toContain('No account with this id yet');
    expect(await page.textContent('#account-blocked')).not.toContain('Blocked');
    expect(await page.locator('#account-figures').isHidden()).toBe(true);
    expect(await page.locator('#ledger-empty').isVisible()).toBe(true);

    // An account that exists says nothing of the kind.
    await page.fill('#account-input', user);
    await page.click('#lookup-form button[type=submit]');
    await page.locator('#account-blocked[data-state=active]').waitFor();
    expect(await page.locator('#account-unknown').isHidden()).toBe(true);
  });

  it('opens the account named by #<user_id>, on arrival and when the address changes in an open tab', async () => {
    const page = await openConsole(1920, `#${encodeURIComponent(user)}`);
    await page.locator('#account-id', { hasText: user }).waitFor();
    await page.locator('#account-balance').waitFor();

    const stranger = unique('hash');
    await page.evaluate(`location.hash = '#/overview'`);
    await page.locator('#view-overview').waitFor();
    await page.evaluate(`location.hash = ${JSON.stringify(`#${stranger}`)}`);
    await page.locator('#account-id', { hasText: stranger }).waitFor();
    expect(await page.locator('#view-accounts').isVisible()).toBe(true);
    await page.locator('#account-unknown').waitFor();

    await page.evaluate(`location.hash = ${JSON.stringify(`#${user}`)}`);
    await page.locator('#account-id', { hasText: user }).waitFor();
    await page.locator('#account-blocked[data-state=active]').waitFor();
    expect(await page.inputValue('#account-input')).toBe(user);
  });

  describe('a wrong token', () => {
    const wrong = 'not-a-token-of-this-store';
    const failedLine = /^Could not load: the token was refused$/;
    /** Words of a panel still waiting (on screen only: innerText skips hidden views). */
    const stuck = async (page: Page) =>
      (await page.locator('body').innerText()).match(/checking…|Loading…/g) ?? [];

    it('shows an error in every panel of the overview, and nothing stays "checking…"', async () => {
      const page = await openConsole(1280, '#/overview', wrong);
      await page.locator('#overview-as-of[data-state=error]').waitFor();
      expect(await page.textContent('#overview-as-of')).toMatch(failedLine);
      await page.locator('#overview-reconciliation[data-state=error]').waitFor();
      expect(await page.textContent('#overview-reconciliation')).toBe('could not check');
      for (const table of ['overview-money', 'overview-top', 'overview-orders']) {
        expect(await page.textContent(`#${table} tbody td.failed`)).toMatch(failedLine);
      }
      expect(await page.textContent('#overview-chart')).toMatch(failedLine);
      await page.locator('#token-state', { hasText: 'Token refused' }).waitFor();
      expect(await page.textContent('#error')).toContain('The admin token was refused');
      expect(await stuck(page)).toEqual([]);
    });

    for (const [view, line] of [
      ['revenue', '#revenue-state'],
      ['dead-letters', '#dead-letters-state'],
      ['audit', '#audit-state'],
    ]) {
      it(`shows an error in the ${view} panel`, async () => {
        const page = await openConsole(1280, `#/${view}`, wrong);
        await page.locator(`${line}[data-state=error]`).waitFor();
        expect(await page.textContent(line)).toMatch(failedLine);
        expect(await page.locator('#error').isVisible()).toBe(true);
        expect(await stuck(page)).toEqual([]);
      });
    }

    it('shows an error for an account and none of its data', async () => {
      const page = await openConsole(1280, `#${user}`, wrong);
      await page.locator('#error', { hasText: 'The admin token was refused' }).waitFor();
      await page.locator('#token-state', { hasText: 'Token refused' }).waitFor();
      expect(await page.locator('#account').isHidden()).toBe(true);
      expect(await stuck(page)).toEqual([]);
    });
  });
});
