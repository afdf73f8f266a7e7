import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useCreditStore } from './support/apps';
import { launchChromium } from './support/browser';
import { call } from './support/http';
import { IssuedPrincipal, issuePrincipal } from './support/principals';
import { TEST_TOKENS } from './support/test-env';
import { unique } from './support/wait';

/**
 * The console by role: it asks who the token is at login, shows a finance or support token no
 * write button, and shows the audit trail with its filters.
 */
describe('finance console by role', () => {
  const app = useCreditStore();
  let browser: Browser;
  let finance: IssuedPrincipal;
  let support: IssuedPrincipal;
  const requestId = unique('console-req');
  const user = unique('console-user');

  beforeAll(async () => {
    browser = await launchChromium();
    finance = await issuePrincipal(app.store.url, 'finance');
    support = await issuePrincipal(app.store.url, 'support', 500);
    const granted = await call('POST', `${app.store.url}/accounts/${user}/grants`, {
      token: support.token,
      headers: { 'x-request-id': requestId },
      body: { event_id: unique('grant'), amount: 25, source: 'gift' },
    });
    expect(granted.status).toBe(201);
  });
  // A page left open keeps its connections to the store, whose close then waits them out.
  const opened: BrowserContext[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((context) => context.close()));
  });
  afterAll(() => browser?.close());

  async function openConsole(token: string, view: string): Promise<Page> {
    const context = await browser.newContext();
    opened.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${app.store.url}/console#/${view}`);
    await page.fill('#token-input', token);
    await page.click('#token-form button[type=submit]');
    return page;
  }

  it('shows a finance token who it is and no write button; an admin token gets them', async () => {
    const page = await openConsole(finance.token, 'dead-letters');
    await page.locator('#whoami', { hasText: `${finance.name} · finance` }).waitFor();
    expect(await page.locator('#dead-letters-redrive-selected').isVisible()).toBe(false);
    expect(await page.locator('button.write:visible').count()).toBe(0);

    const admin = await openConsole(TEST_TOKENS.admin, 'dead-letters');
    await admin.locator('#whoami', { hasText: 'bootstrap-admin · admin' }).waitFor();
    expect(await admin.locator('#dead-letters-redrive-selected').isVisible()).toBe(true);
  });

  it("shows a support agent's grant in the audit trail, filtered by actor, with its request id", async () => {
    const page = await openConsole(finance.token, 'audit');
    await page.locator('#whoami', { hasText: 'finance' }).waitFor();
    await page.fill('#audit-actor', support.name);
    await page.click('#audit-form button[type=submit]');
    // The unfiltered trail (shown first) holds the row too: wait for the filtered one to replace
    // it, which must then be that row alone (a filter that is not applied times out here).
    await page.waitForFunction("document.querySelectorAll('#audit-table tbody tr').length === 1");
    const row = page.locator('#audit-table tbody tr', { hasText: requestId });
    expect(await row.count()).toBe(1);
    expect(await row.locator('td.action').textContent()).toBe('grant.create');
    expect(await row.locator('td.actor').textContent()).toBe(`${support.name} (support)`);
    expect(await row.locator('td.outcome').textContent()).toBe('ok 201');
  });
});
