import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { useCreditStore } from './support/apps';
import { launchChromium } from './support/browser';
import { chargeEvent, produceCharges } from './support/charge-events';
import { call } from './support/http';
import { TEST_TOKENS } from './support/test-env';
import { eventually, unique } from './support/wait';

const DAY = 86_400_000;
const SCREENSHOT = join(__dirname, '..', '.cache', 'artifacts', 'console.png');

/** Markup that would run (and leave window.__xss set) if the page rendered data as HTML. */
const XSS_DESCRIPTION = '<img src=x onerror="window.__xss=1">';
const XSS_ACCOUNT = '<img src=x onerror="window.__xss=2">';

/** The largest grant the API takes: past 2^53 in sums, so every digit must come through exactly. */
const GRANT = 1_000_000_000_000;

/** An integer as the console writes it: grouped in thousands. */
const grouped = (value: number | string) => BigInt(value).toLocaleString('en-US');

/** Charges as [credits, days before now]: three UTC days with usage, five charges the latest. */
const CHARGES: [number, number][] = [
  [7, 5],
  [11, 5],
  [13, 5],
  [17, 5],
  [19, 2],
  [23, 2],
  [29, 2],
  [31, 0],
  [37, 0],
  [41, 0],
  [43, 0],
  [47, 0],
];

/** One ledger row as the API and the CSV write it. */
type Row = [
  event: string,
  direction: string,
  source: string,
  amount: string,
  before: string,
  after: string,
];

describe('finance console at /console (headless Chromium)', () => {
  const app = useCreditStore();
  let browser: Browser;

  const user = unique('console');
  const grantId = `${user}-grant`;
  const now = Date.now();
  const events = CHARGES.map(([amount, daysAgo], i) => {
    const description = i === 8 ? XSS_DESCRIPTION : `render job ${i}`;
    const event = chargeEvent(user, amount, `${user}-charge-${i}`, { description });
    event.occurred_at = new Date(now - daysAgo * DAY).toISOString();
    return event;
  });
  const spent = CHARGES.reduce((sum, [amount]) => sum + amount, 0);

  /** The ledger the page must show, newest first, computed from the seed alone. */
  const expectedRows: Row[] = (() => {
    const rows: Row[] = [['grant', 'income', 'purchase', `${GRANT}`, '0', `${GRANT}`]];
    let balance = GRANT;
    CHARGES.forEach(([amount], i) => {
      rows.push([
        `charge-${i}`,
        'expense',
        'video',
        `-${amount}`,
        `${balance}`,
        `${balance - amount}`,
      ]);
      balance -= amount;
    });
    return rows.map(([id, ...rest]): Row => [`${user}-${id}`, ...rest]).reverse();
  })();

  /** Credits by UTC day of the charges' occurred_at, oldest day first, as the chart must draw. */
  const expectedBars = (() => {
    const byDay = new Map<string, number>();
    for (const event of events) {
      const day = event.occurred_at.slice(0, 10);
      byDay.set(day, (byDay.get(day) ?? 0) + event.payload.amount);
    }
    return [...byDay.entries()].sort().map(([day, credits]) => [day, `${credits}`]);
  })();

  beforeAll(async () => {
    browser = await launchChromium();
    const granted = await call('POST', `${app.store.url}/accounts/${user}/grants`, {
      body: { event_id: grantId, amount: GRANT, source: 'purchase', description: XSS_DESCRIPTION },
    });
    expect(granted.status).toBe(201);
    await produceCharges(...events);
    await eventually(async () => {
      const account = await call<{ balance: number }>('GET', `${app.store.url}/accounts/${user}`);
      expect(account.body.balance).toBe(GRANT - spent);
    });
  });
  afterAll(() => browser?.close());

  /** A fresh tab (its own sessionStorage) on the console, with a token entered. */
  async function openConsole(token: string): Promise<Page> {
    const context = await browser.newContext({
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.store.url}/console`);
    await page.fill('#token-input', token);
    await page.click('#token-form button[type=submit]');
    return page;
  }

  async function lookUp(page: Page, account: string): Promise<void> {
    await page.fill('#account-input', account);
    await page.click('#lookup-form button[type=submit]');
  }

  /** The ledger rows on the page, read column by column (each cell's text as shown). */
  async function shownRows(page: Page): Promise<string[][]> {
    const column = (name: string) => page.locator(`#ledger-rows td.${name}`).allTextContents();
    const columns = await Promise.all(['ref', 'source', 'amount', 'balance-after'].map(column));
    return columns[0].map((_, i) => columns.map((values) => values[i]));
  }

  /** A row as the page shows it: these charges carry no request id, so their event id. */
  const shown = (rows: Row[]) =>
    rows.map(([event, , source, amount, , after]) => [
      event,
      source,
      grouped(amount),
      grouped(after),
    ]);

  /** Each bar's attribute, left to right. */
  const barAttributes = async (page: Page, name: string) =>
    Promise.all(
      (await page.locator('#usage-chart rect.bar').all()).map((bar) => bar.getAttribute(name)),
    );

  /** Waits until the pager reports the given page (the label is written after the rows). */
  const pageLabelIs = (page: Page, label: string) =>
    page.locator('#ledger-page', { hasText: label }).waitFor();

  it('serves the page without a token, under a policy that runs only its own scripts', async () => {
    const html = await fetch(`${app.store.url}/console`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await html.text()).toContain('/console/console.js');
    const script = await fetch(`${app.store.url}/console/console.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    // The page being public opens nothing else: the data still needs the token.
    expect((await fetch(`${app.store.url}/accounts/${user}`)).status).toBe(401);
  });

  it('says clearly that a wrong token was refused, and shows no data', async () => {
    const page = await openConsole('not-the-admin-token');
    await lookUp(page, user);
    const error = page.locator('#error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toContain(
      'The admin token was refused (invalid bearer token)',
    );
    expect(await page.locator('#ledger').isHidden()).toBe(true);
    expect(await page.locator('#account').isHidden()).toBe(true);
    expect(await page.locator('#ledger-rows tr').count()).toBe(0);
    await page.context().close();
  });

  it('shows the account, its ledger page by page, usage by day and a reconciled ledger', async () => {
    const page = await openConsole(TEST_TOKENS.admin);
    // The chart's answer comes late, so the page size below changes while it is still on its way:
    // the page must still draw it (an answer is dropped only for a newer request of its own kind).
    await page.route(/\/usage\?/, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await route.continue();
    });
    await lookUp(page, user);
    await pageLabelIs(page, 'Page 1 · 13 entries');
    await page.selectOption('#page-size', '10');
    await pageLabelIs(page, 'Page 1 · 10 entries');

    // The token sits in this tab's sessionStorage and nowhere else. (Browser-side code is passed
    // as text: the test build has no DOM types.)
    expect(
      await page.evaluate(
        `({ session: sessionStorage.getItem('tally.adminToken'), local: localStorage.length,
            cookie: document.cookie })`,
      ),
    ).toEqual({ session: TEST_TOKENS.admin, local: 0, cookie: '' });

    expect(await page.textContent('#account-balance')).toBe(grouped(GRANT - spent));
    expect(await page.textContent('#account-total_recharged')).toBe('1,000,000,000,000');
    expect(await page.textContent('#account-total_consumed')).toBe(grouped(spent));
    expect(await shownRows(page)).toEqual(shown(expectedRows.slice(0, 10)));

    await page.locator('#usage-chart rect.bar').first().waitFor();
    const days = await barAttributes(page, 'data-day');
    const credits = await barAttributes(page, 'data-credits');
    expect(days.map((day, i) => [day, credits[i]])).toEqual(expectedBars);
    expect(expectedBars).toHaveLength(3);
    // Heights follow credits: the day with the most usage has the tallest bar.
    const heights = (await barAttributes(page, 'height')).map(Number);
    expect(heights[2]).toBeGreaterThan(heights[1]);
    expect(heights[1]).toBeGreaterThan(heights[0]);

    const badge = page.locator('#reconciliation-badge');
    await badge.waitFor({ state: 'visible' });
    expect(await badge.getAttribute('data-state')).toBe('ok');
    expect(await badge.textContent()).toMatch(/^OK/);
    expect(await page.locator('#reconciliation-mismatches').isHidden()).toBe(true);
    expect(await page.locator('#error').isHidden()).toBe(true);

    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    await page.click('#ledger-older');
    await pageLabelIs(page, 'Page 2 · 3 entries');
    expect(await shownRows(page)).toEqual(shown(expectedRows.slice(10)));
    expect(await page.locator('#ledger-older').isDisabled()).toBe(true);

    await page.click('#ledger-newer');
    await pageLabelIs(page, 'Page 1 · 10 entries');
    expect(await shownRows(page)).toEqual(shown(expectedRows.slice(0, 10)));
    await page.context().close();
  });

  it('turns the badge red and lists each mismatch when the ledger does not reconcile', async () => {
    const page = await openConsole(TEST_TOKENS.admin);
    const badge = page.locator('#reconciliation-badge');
    await badge.waitFor({ state: 'visible' });
    expect(await badge.getAttribute('data-state')).toBe('ok');

    // A total that no entry explains, put back at once so that later suites see a clean ledger.
    await app.db.query(
      `UPDATE accounts SET total_rewarded = total_rewarded + 1 WHERE user_id = $1`,
      [user],
    );
    try {
      await page.click('#reconciliation-refresh');
      await page.locator('#reconciliation-badge[data-state=mismatch]').waitFor();
      expect(await badge.textContent()).toBe('1 mismatch');
      expect(await badge.getAttribute('class')).toBe('badge bad');
      expect(await page.locator('#reconciliation-mismatches tbody td').allTextContents()).toEqual([
        user,
        'totals_match_entries',
        'total_rewarded',
        '0',
        '1',
      ]);
      await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, '-mismatch.png') });
    } finally {
      await app.db.query(
        `UPDATE accounts SET total_rewarded = total_rewarded - 1 WHERE user_id = $1`,
        [user],
      );
    }
    await page.click('#reconciliation-refresh');
    await page.locator('#reconciliation-badge[data-state=ok]').waitFor();
    expect(await page.locator('#reconciliation-mismatches').isHidden()).toBe(true);
    await page.context().close();
  });

  it('shows markup in a description or an account id as text, and runs none of it', async () => {
    const page = await openConsole(TEST_TOKENS.admin);
    await lookUp(page, user);
    await pageLabelIs(page, 'Page 1 · 13 entries');
    const descriptions = await page.locator('#ledger-rows td.description').allTextContents();
    // The charge and the grant both carry the markup.
    expect(descriptions.filter((d) => d === XSS_DESCRIPTION)).toHaveLength(2);

    await lookUp(page, XSS_ACCOUNT);
    const error = page.locator('#error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toContain(`user_id "${XSS_ACCOUNT}" is not a valid user id`);

    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
    await page.context().close();
  });

  it('downloads the ledger CSV with the token, holding the entries as the API wrote them', async () => {
    const page = await openConsole(TEST_TOKENS.admin);
    const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
    const today = new Date().toISOString().slice(0, 10);
    await page.fill('#export-from', yesterday);
    await page.fill('#export-through', today);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#export-form button[type=submit]'),
    ]);
    expect(download.suggestedFilename()).toBe(
      `tally-ledger-from-${yesterday}-through-${today}.csv`,
    );
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toMatch(
      /^id,event_id,created_at,occurred_at,user_id,source,direction,amount,/,
    );

    // The first ten columns hold no commas (ids, times, amounts), so a split reads them exactly.
    const exported = lines
      .map((line) => line.split(','))
      .filter((fields) => fields[4] === user)
      .map(([, event, , , , source, direction, amount, before, after]): Row => [
        event,
        direction,
        source,
        amount,
        before,
        after,
      ]);
    expect(exported.sort()).toEqual([...expectedRows].sort());
    expect(await page.textContent('#export-state')).toBe(
      `Downloaded ${Buffer.byteLength(csv)} bytes.`,
    );
    await page.context().close();
  });
});
