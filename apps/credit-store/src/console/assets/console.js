/* global document, sessionStorage, location, URLSearchParams, window */
// The finance console: reads the credit-store's JSON endpoints with the admin token and renders
// them. All data goes into the page as text (textContent, attributes), never as markup.

const TOKEN_KEY = 'tally.adminToken';
const SVG_NS = 'http://www.w3.org/2000/svg';

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// API

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * JSON.parse that keeps an integer beyond 2^53 as its exact digits (the reviver's source text),
 * so an amount is shown as the API wrote it, never rounded through a float.
 */
function parseJson(text) {
  return JSON.parse(text, (_key, value, context) =>
    typeof value === 'number' &&
    !Number.isSafeInteger(value) &&
    context &&
    /^-?\d+$/.test(context.source)
      ? context.source
      : value,
  );
}

async function errorOf(response) {
  let code = `http_${response.status}`;
  let message = response.statusText;
  try {
    const body = parseJson(await response.text());
    code = body.code ?? code;
    message = body.message ?? message;
  } catch {
    // Not our JSON error shape (a proxy's page): the status line is all there is.
  }
  return new ApiError(response.status, code, message);
}

/** A GET with the admin token; the token lives in this tab's sessionStorage only. */
async function request(path) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) throw new ApiError(0, 'no_token', 'Enter the admin token first.');
  const response = await fetch(path, {
    headers: { authorization: `Bearer ${token}` },
    cache: 'no-store',
  });
  if (!response.ok) throw await errorOf(response);
  return response;
}

const getJson = async (path) => parseJson(await (await request(path)).text());

/** A POST of JSON with the admin token. */
async function postJson(path, body) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) throw new ApiError(0, 'no_token', 'Enter the admin token first.');
  const response = await fetch(path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!response.ok) throw await errorOf(response);
  return parseJson(await response.text());
}

function describe(error) {
  if (!(error instanceof ApiError)) return `Could not reach the credit-store: ${error.message}`;
  if (error.status === 0) return error.message;
  if (error.status === 401) {
    return `The admin token was refused (${error.message}). Check it and enter it again.`;
  }
  if (error.status === 403) return `This token may not read finance data: ${error.message}.`;
  return `Request failed (${error.status} ${error.code}): ${error.message}`;
}

// ---------------------------------------------------------------------------------------------
// Rendering helpers

const text = (value) => (value === null || value === undefined ? '' : String(value));

/** One locale for every figure, so finance reads 1,234,567 and $9.98 on every machine. */
const LOCALE = 'en-US';

/** An integer with grouping (1,234,567), exact beyond 2^53 (the API sends those as digits). */
function amountText(value) {
  if (value === null || value === undefined || value === '') return '';
  try {
    return BigInt(value).toLocaleString(LOCALE);
  } catch {
    return text(value);
  }
}

/**
 * Minor units of a currency as money: (998, 'USD') → "$9.98", (500, 'JPY') → "¥500". The decimal
 * is built from the integer's digits and formatted as a string, so no float rounds it.
 */
function moneyText(minor, currency) {
  if (minor === null || minor === undefined || minor === '') return '';
  let format;
  let units;
  try {
    format = new Intl.NumberFormat(LOCALE, { style: 'currency', currency });
    units = BigInt(minor);
  } catch {
    return `${amountText(minor)} ${text(currency)}`.trim();
  }
  const digits = format.resolvedOptions().maximumFractionDigits;
  const negative = units < 0n;
  const size = negative ? -units : units;
  const scale = 10n ** BigInt(digits);
  const fraction = digits === 0 ? '' : `.${String(size % scale).padStart(digits, '0')}`;
  return format.format(`${negative ? '-' : ''}${size / scale}${fraction}`);
}

/** "2026-11-23T15:04:05.123Z" → "2026-11-23 15:04:05" (the full value stays in the tooltip). */
const timeText = (iso) =>
  text(iso)
    .replace('T', ' ')
    .replace(/(\.\d+)?Z$/, '');

function cell(value, className) {
  const td = document.createElement('td');
  td.textContent = text(value);
  if (className) td.className = className;
  return td;
}

function note(value, className) {
  const span = document.createElement('span');
  span.textContent = text(value);
  span.className = className;
  return span;
}

const signClass = (amount) => (String(amount).startsWith('-') ? 'num neg' : 'num pos');

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

function clearError() {
  $('error').textContent = '';
  $('error').hidden = true;
}

/** Why a panel has no data, in a few words (the banner above has the whole message). */
function shortReason(error) {
  if (!(error instanceof ApiError)) return 'the credit-store did not answer';
  if (error.status === 0) return error.message;
  if (error.status === 401) return 'the token was refused';
  if (error.status === 403) return 'this role may not see it';
  return `${error.status} ${error.code}`;
}

/** A panel's own line says it failed: no panel keeps saying "checking…" or stays blank. */
function panelFailed(node, error) {
  node.textContent = `Could not load: ${shortReason(error)}`;
  node.dataset.state = 'error';
  node.classList.add('failed');
}

function panelState(node, message) {
  node.textContent = message;
  delete node.dataset.state;
  node.classList.remove('failed');
}

/** A table whose rows could not be read shows one row saying so. */
function tableFailed(body, error) {
  const td = document.createElement('td');
  td.colSpan = body.parentElement.tHead.rows[0].cells.length;
  panelFailed(td, error);
  const tr = document.createElement('tr');
  tr.append(td);
  body.replaceChildren(tr);
}

function svg(tag, attributes = {}, content) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (content !== undefined) node.textContent = content;
  return node;
}

// ---------------------------------------------------------------------------------------------
// Account, ledger, usage: one account at a time

const state = { userId: null, cursors: [null] };

/**
 * The latest request of each loader. An answer is drawn only if no newer request of the same
 * loader started since (another account, page or period); other loaders' requests do not count,
 * so changing the page size while the chart loads keeps the chart.
 */
const latest = new Map();

function hideAccountSections() {
  for (const id of ['account', 'ledger', 'entry', 'usage']) $(id).hidden = true;
}

async function loadAccount(userId, isCurrent) {
  const account = await getJson(`/accounts/${encodeURIComponent(userId)}`);
  if (!isCurrent()) return;
  $('account-id').textContent = account.user_id;
  // The API answers an id that never had an entry with a zero account; updated_at: null tells it
  // from an account that was emptied, which is the one really blocked.
  const unknown = account.updated_at === null;
  $('account-unknown').hidden = !unknown;
  $('account-figures').hidden = unknown;
  for (const field of [
    'balance',
    'total_recharged',
    'total_rewarded',
    'total_consumed',
    'total_expired',
    'total_refunded',
  ]) {
    $(`account-${field}`).textContent = amountText(account[field]);
  }
  $('account-updated_at').textContent = account.updated_at ? timeText(account.updated_at) : '—';
  const badge = $('account-blocked');
  badge.textContent = unknown ? 'No entries yet' : account.blocked ? 'Blocked' : 'Active';
  badge.className = `badge ${unknown ? '' : account.blocked ? 'bad' : 'ok'}`;
  badge.dataset.state = unknown ? 'unknown' : account.blocked ? 'blocked' : 'active';
  $('account').hidden = false;
}

/** What a row is known by: a charge's request id (x-request-id at the gateway), else its event id. */
const referenceOf = (entry) => text(entry.metadata?.request_id ?? entry.event_id);

/** A link to another entry: its row when on this page, else the entry fetched on its own. */
function entryLink(label, eventId, className) {
  const link = document.createElement('button');
  link.type = 'button';
  link.className = `link entry-link ${className}`;
  link.textContent = label;
  link.dataset.target = eventId;
  link.title = `event ${eventId}`;
  link.addEventListener('click', () => void showEntry(eventId));
  return link;
}

function rowOfEntry(eventId) {
  return [...$('ledger-rows').rows].find((tr) => tr.dataset.eventId === eventId);
}

async function showEntry(eventId) {
  for (const tr of $('ledger-rows').querySelectorAll('tr.linked')) tr.classList.remove('linked');
  const row = rowOfEntry(eventId);
  if (row) {
    $('entry').hidden = true;
    row.classList.add('linked');
    row.scrollIntoView({ block: 'center' });
    return;
  }
  clearError();
  try {
    const entry = await getJson(`/ledger/${encodeURIComponent(eventId)}`);
    const fields = [
      ['Event', entry.event_id],
      ['Request', entry.metadata?.request_id],
      ['Created (UTC)', timeText(entry.created_at)],
      ['Source', `${text(entry.source)} (${text(entry.direction)})`],
      ['Amount', amountText(entry.amount)],
      ['Balance', `${amountText(entry.balance_before)} → ${amountText(entry.balance_after)}`],
      ['Model', entry.pricing?.model],
      ['API key', entry.metadata?.api_key_id],
      ['Status', entry.status],
      ['Description', entry.description],
    ].filter(([, value]) => value !== undefined && value !== null && value !== '');
    $('entry-fields').replaceChildren(
      ...fields.map(([name, value]) => {
        const div = document.createElement('div');
        const dt = document.createElement('dt');
        dt.textContent = name;
        const dd = document.createElement('dd');
        dd.textContent = text(value);
        dd.dataset.field = name;
        div.append(dt, dd);
        return div;
      }),
    );
    $('entry-id').textContent = referenceOf(entry);
    $('entry').dataset.eventId = entry.event_id;
    $('entry').hidden = false;
    $('entry').scrollIntoView({ block: 'nearest' });
  } catch (error) {
    showError(describe(error));
  }
}

async function loadLedger(userId, isCurrent) {
  const query = new URLSearchParams({ limit: $('page-size').value });
  const cursor = state.cursors[state.cursors.length - 1];
  if (cursor) query.set('cursor', cursor);
  const page = await getJson(`/accounts/${encodeURIComponent(userId)}/ledger?${query}`);
  if (!isCurrent()) return;

  // A refund names the charge it gives back; the charge, when on the page, links back to it.
  const byId = new Map(page.items.map((entry) => [entry.event_id, entry]));
  const refundsOf = new Map();
  for (const entry of page.items) {
    if (entry.source !== 'refund') continue;
    refundsOf.set(entry.source_ref_id, [...(refundsOf.get(entry.source_ref_id) ?? []), entry]);
  }
  const rows = page.items.map((entry) => {
    const tr = document.createElement('tr');
    tr.dataset.eventId = entry.event_id;
    tr.className = entry.direction;
    const created = cell(timeText(entry.created_at), 'created');
    created.title = text(entry.created_at);
    const ref = cell(referenceOf(entry), 'ref mono');
    ref.title = `event ${entry.event_id}`;
    if (entry.source === 'refund') {
      tr.dataset.refundOf = entry.source_ref_id;
      const charge = byId.get(entry.source_ref_id);
      ref.append(
        document.createElement('br'),
        note('↩ refund of ', 'refund-note'),
        entryLink(
          charge ? referenceOf(charge) : entry.source_ref_id,
          entry.source_ref_id,
          'refund-of',
        ),
      );
    }
    const refunds = refundsOf.get(entry.event_id);
    if (refunds) {
      ref.append(document.createElement('br'), note('refunded by ', 'refund-note'));
      refunds.forEach((refund, i) => {
        if (i > 0) ref.append(', ');
        ref.append(entryLink(referenceOf(refund), refund.event_id, 'refunded-by'));
      });
    }
    const key = text(entry.metadata?.api_key_id);
    const keyCell = cell(key.length > 8 ? `${key.slice(0, 8)}…` : key, 'key mono');
    keyCell.title = key;
    const amount = cell(amountText(entry.amount), `amount ${signClass(entry.amount)}`);
    amount.title = entry.direction;
    const after = cell(amountText(entry.balance_after), 'balance-after num');
    after.title = `before: ${amountText(entry.balance_before)}`;
    tr.append(
      created,
      ref,
      cell(entry.source, 'source'),
      cell(entry.pricing?.model, 'model mono'),
      keyCell,
      amount,
      after,
      cell(entry.status, `status ${entry.status}`),
      cell(entry.description, 'description'),
    );
    return tr;
  });
  $('ledger-rows').replaceChildren(...rows);
  $('entry').hidden = true;
  $('ledger-empty').hidden = rows.length > 0;
  $('ledger-newer').disabled = state.cursors.length <= 1;
  $('ledger-older').disabled = !page.next_cursor;
  $('ledger-older').dataset.cursor = page.next_cursor ?? '';
  $('ledger-page').textContent = `Page ${state.cursors.length} · ${rows.length} entries`;
  $('ledger').hidden = false;
}

/** Bar height scale: the maximum rounded up to 1, 2 or 5 × 10^n, so gridlines land on round numbers. */
function niceCeiling(max) {
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= max);
}

/** An SVG chart's frame: its viewBox and three gridlines labelled 0, half and `top`. */
function chartFrame(width, height, plot, top, label, format = amountText) {
  const plotWidth = width - plot.left - plot.right;
  const plotHeight = height - plot.top - plot.bottom;
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': label });
  for (const fraction of [0, 0.5, 1]) {
    const y = plot.top + plotHeight * (1 - fraction);
    root.append(
      svg('line', { class: 'gridline', x1: plot.left, x2: width - plot.right, y1: y, y2: y }),
      svg(
        'text',
        { class: 'axis', x: plot.left - 8, y: y + 4, 'text-anchor': 'end' },
        format(top * fraction),
      ),
    );
  }
  return { root, plotWidth, plotHeight };
}

/** One bar per day that had usage; heights by credits, labels with the exact figures. */
function drawChart(days) {
  const chart = $('usage-chart');
  if (days.length === 0) {
    const empty = document.createElement('p');
    empty.className = 'muted';
    empty.textContent = 'No usage in this period.';
    chart.replaceChildren(empty);
    return;
  }
  const [width, height] = [640, 240];
  const plot = { left: 56, right: 12, top: 22, bottom: 34 };
  const top = niceCeiling(Math.max(1, ...days.map((day) => Number(day.credits))));
  const { root, plotWidth, plotHeight } = chartFrame(
    width,
    height,
    plot,
    top,
    'Credits used by day',
  );

  const slot = plotWidth / days.length;
  const barWidth = Math.min(56, slot * 0.7);
  const labelEvery = Math.ceil(days.length / 10);
  days.forEach((day, index) => {
    const barHeight = Math.max(1, (plotHeight * Number(day.credits)) / top);
    const x = plot.left + slot * index + (slot - barWidth) / 2;
    const y = plot.top + plotHeight - barHeight;
    const bar = svg('rect', {
      class: 'bar',
      x,
      y,
      width: barWidth,
      height: barHeight,
      rx: 2,
      'data-day': day.day,
      'data-credits': text(day.credits),
    });
    bar.append(
      svg(
        'title',
        {},
        `${day.day}: ${amountText(day.credits)} credits, ${amountText(day.calls)} calls`,
      ),
    );
    root.append(bar);
    if (days.length <= 16) {
      root.append(
        svg(
          'text',
          { class: 'value', x: x + barWidth / 2, y: y - 6, 'text-anchor': 'middle' },
          amountText(day.credits),
        ),
      );
    }
    if (index % labelEvery === 0) {
      root.append(
        svg(
          'text',
          { class: 'axis', x: x + barWidth / 2, y: height - 12, 'text-anchor': 'middle' },
          day.day.slice(5),
        ),
      );
    }
  });
  chart.replaceChildren(root);
}

async function loadUsage(userId, isCurrent) {
  const period = $('usage-period').value;
  const usage = await getJson(
    `/accounts/${encodeURIComponent(userId)}/usage?${new URLSearchParams({ period })}`,
  );
  if (!isCurrent()) return;
  const { calls, credits } = usage.totals;
  $('usage-totals').textContent = `${amountText(credits)} credits in ${amountText(calls)} calls`;
  drawChart(usage.by_day);
  $('usage').hidden = false;
}

/** Runs loaders for the current account; a failure is shown and the account's data hidden. */
function refresh(...loaders) {
  clearError();
  return Promise.all(
    loaders.map(async (load) => {
      const ticket = (latest.get(load) ?? 0) + 1;
      latest.set(load, ticket);
      const isCurrent = () => latest.get(load) === ticket;
      try {
        await load(state.userId, isCurrent);
      } catch (error) {
        if (!isCurrent()) return;
        hideAccountSections();
        showError(describe(error));
      }
    }),
  );
}

function lookUp(userId) {
  state.userId = userId;
  state.cursors = [null];
  showView('accounts');
  location.hash = encodeURIComponent(userId);
  return Promise.all([refresh(loadAccount, loadLedger, loadUsage), loadReconciliation()]);
}

// ---------------------------------------------------------------------------------------------
// Reconciliation (whole ledger) and the CSV export

async function loadReconciliation() {
  if (!sessionStorage.getItem(TOKEN_KEY)) return;
  try {
    const result = await getJson('/finance/reconciliation');
    const badge = $('reconciliation-badge');
    badge.dataset.state = result.ok ? 'ok' : 'mismatch';
    badge.className = `badge ${result.ok ? 'ok' : 'bad'}`;
    badge.textContent = result.ok
      ? 'OK · ledger reconciles'
      : `${result.mismatches.length} mismatch${result.mismatches.length === 1 ? '' : 'es'}`;
    $('reconciliation-summary').textContent =
      `${amountText(result.accounts_checked)} account${result.accounts_checked === 1 ? '' : 's'} ` +
      `checked at ${timeText(new Date().toISOString())} UTC`;
    const rows = result.mismatches.map((m) => {
      const tr = document.createElement('tr');
      tr.append(
        cell(m.user_id, 'mono'),
        cell(m.check),
        cell(m.ref, 'mono'),
        cell(m.expected, 'num'),
        cell(m.actual, 'num'),
      );
      return tr;
    });
    const table = $('reconciliation-mismatches');
    table.tBodies[0].replaceChildren(...rows);
    table.hidden = rows.length === 0;
    $('reconciliation').hidden = false;
  } catch (error) {
    $('reconciliation').hidden = true;
    showError(describe(error));
  }
}

/** The day after a YYYY-MM-DD, so "through" includes that whole UTC day (the API's `to` excludes). */
function dayAfter(day) {
  const next = new Date(`${day}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** Fetched with the token (a plain link could not send it), then saved from a blob URL. */
async function downloadCsv() {
  const from = $('export-from').value;
  const through = $('export-through').value;
  const query = new URLSearchParams();
  if (from) query.set('from', from);
  if (through) query.set('to', dayAfter(through));
  $('export-state').textContent = 'Exporting…';
  clearError();
  try {
    const blob = await (await request(`/finance/ledger.csv?${query}`)).blob();
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `tally-ledger${from ? `-from-${from}` : ''}${through ? `-through-${through}` : ''}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    $('export-state').textContent = `Downloaded ${blob.size} bytes.`;
  } catch (error) {
    $('export-state').textContent = 'Export failed.';
    showError(describe(error));
  }
}

// ---------------------------------------------------------------------------------------------
// Views: overview, revenue, dead letters, accounts (one shown at a time, named in the address)

const VIEWS = ['overview', 'revenue', 'dead-letters', 'accounts', 'audit'];

function showView(name) {
  for (const view of VIEWS) $(`view-${view}`).hidden = view !== name;
  for (const tab of document.querySelectorAll('nav.tabs a')) {
    tab.classList.toggle('active', tab.dataset.view === name);
  }
  if (!sessionStorage.getItem(TOKEN_KEY)) return;
  if (name === 'overview') void loadOverview();
  if (name === 'revenue') void loadRevenue();
  if (name === 'dead-letters') void loadDeadLetters(true);
  if (name === 'audit') void loadAudit(true);
}

/** The view named by the address (#/revenue), or null when it names an account (#alice). */
function linkedView() {
  const hash = location.hash;
  // The console opened on the account lookup before it had views; bare /console still does.
  if (hash === '' || hash === '#') return 'accounts';
  if (!hash.startsWith('#/')) return null;
  const name = hash.slice(2);
  return VIEWS.includes(name) ? name : 'overview';
}

function rowOf(values) {
  const tr = document.createElement('tr');
  tr.append(...values.map(([value, className]) => cell(value, className)));
  return tr;
}

// ---------------------------------------------------------------------------------------------
// Overview

let overviewData = null;

async function loadOverview() {
  clearError();
  panelState($('overview-as-of'), 'Loading…');
  try {
    const data = await getJson('/finance/overview');
    overviewData = data;
    $('overview-credits').textContent = amountText(data.credits_outstanding);
    // What the outstanding credits are worth: the deferred revenue of the paid ones, per currency
    // (granted credits carry no value).
    const worth = data.deferred_revenue
      .filter((d) => BigInt(d.deferred) !== 0n)
      .map((d) => moneyText(d.deferred, d.currency));
    $('overview-credits-value').textContent =
      worth.length > 0 ? `worth ${worth.join(' + ')} (deferred revenue)` : 'no paid credits';
    panelState($('overview-as-of'), `as of ${timeText(data.as_of)} UTC`);
    const letters = $('overview-dead-letters');
    letters.textContent = `${amountText(data.dead_letters.open)} / ${amountText(data.dead_letters.total)}`;
    letters.dataset.open = text(data.dead_letters.open);
    const today = new Map(data.today.map((t) => [t.currency, t]));
    $('overview-money').tBodies[0].replaceChildren(
      ...data.deferred_revenue.map((d) => {
        const t = today.get(d.currency) ?? {};
        const money = (value) => moneyText(value ?? 0, d.currency);
        const tr = rowOf([
          [d.currency, 'currency mono'],
          [money(d.deferred), 'deferred num'],
          [money(t.sales), 'sales num'],
          [money(t.recognized), 'recognized num'],
          [money(t.breakage), 'breakage num'],
          [money(t.refunds), 'refunds num'],
        ]);
        tr.dataset.currency = d.currency;
        return tr;
      }),
    );
    $('overview-top').tBodies[0].replaceChildren(
      ...data.top_consumers_today.map((t) =>
        rowOf([
          [t.user_id, 'mono'],
          [amountText(t.consumed), 'num'],
        ]),
      ),
    );
    $('overview-orders').tBodies[0].replaceChildren(
      ...data.orders_by_status.map((o) =>
        rowOf([
          [o.status, 'status'],
          [amountText(o.orders), 'num'],
        ]),
      ),
    );
    const select = $('overview-currency');
    const chosen = select.value;
    const currencies = [...new Set(data.last_30_days.map((d) => d.currency))];
    select.replaceChildren(
      ...currencies.map((c) => {
        const option = document.createElement('option');
        option.textContent = c;
        return option;
      }),
    );
    if (currencies.includes(chosen)) select.value = chosen;
    drawMoneyChart();
    void loadOverviewReconciliation();
  } catch (error) {
    overviewData = null;
    panelFailed($('overview-as-of'), error);
    $('overview-credits').textContent = '—';
    $('overview-credits-value').textContent = '';
    $('overview-dead-letters').textContent = '—';
    for (const id of ['overview-money', 'overview-top', 'overview-orders']) {
      tableFailed($(id).tBodies[0], error);
    }
    const chart = note('', 'muted');
    panelFailed(chart, error);
    $('overview-chart').replaceChildren(chart);
    const badge = $('overview-reconciliation');
    badge.textContent = 'could not check';
    badge.className = 'badge bad';
    badge.dataset.state = 'error';
    showError(describe(error));
  }
}

async function loadOverviewReconciliation() {
  const badge = $('overview-reconciliation');
  badge.textContent = 'checking…';
  badge.className = 'badge';
  delete badge.dataset.state;
  try {
    const result = await getJson('/finance/reconciliation');
    badge.dataset.state = result.ok ? 'ok' : 'mismatch';
    badge.className = `badge ${result.ok ? 'ok' : 'bad'}`;
    badge.textContent = result.ok
      ? 'OK · ledger reconciles'
      : `${result.mismatches.length} mismatch${result.mismatches.length === 1 ? '' : 'es'}`;
  } catch (error) {
    badge.textContent = 'could not check';
    badge.className = 'badge bad';
    badge.dataset.state = 'error';
    showError(describe(error));
  }
}

const SERIES = ['sales', 'recognized', 'breakage'];

/** The `count` UTC days ending with the day of `iso`, oldest first. */
function lastDays(iso, count) {
  const end = new Date(`${text(iso).slice(0, 10)}T00:00:00Z`);
  return Array.from({ length: count }, (_, i) => {
    const day = new Date(end);
    day.setUTCDate(end.getUTCDate() - (count - 1 - i));
    return day.toISOString().slice(0, 10);
  });
}

/** Three bars a day (sales, recognized, breakage) for the chosen currency, over 30 days. */
function drawMoneyChart() {
  const chart = $('overview-chart');
  const currency = $('overview-currency').value;
  const moved = (overviewData?.last_30_days ?? []).filter((d) => d.currency === currency);
  const byDay = new Map(moved.map((d) => [d.day, d]));
  const days = lastDays(overviewData?.as_of, 30).map(
    (day) => byDay.get(day) ?? { day, sales: 0, recognized: 0, breakage: 0 },
  );
  if (moved.length === 0) {
    chart.replaceChildren(note('No revenue in the last 30 days.', 'muted'));
    return;
  }
  const [width, height] = [900, 260];
  const plot = { left: 64, right: 12, top: 16, bottom: 40 };
  const values = days.flatMap((d) => SERIES.map((s) => Math.abs(Number(d[s]))));
  const top = niceCeiling(Math.max(1, ...values));
  const label = `Sales, recognized and breakage by day in ${currency}`;
  const { root, plotWidth, plotHeight } = chartFrame(width, height, plot, top, label, (value) =>
    Number.isInteger(value) ? moneyText(value, currency) : '',
  );
  const slot = plotWidth / days.length;
  const barWidth = Math.max(2, (slot * 0.8) / SERIES.length);
  days.forEach((day, index) => {
    SERIES.forEach((series, k) => {
      const value = Number(day[series]);
      const barHeight = value === 0 ? 0 : Math.max(1, (plotHeight * Math.abs(value)) / top);
      const x = plot.left + slot * index + slot * 0.1 + barWidth * k;
      const bar = svg('rect', {
        class: `bar ${series}`,
        x,
        y: plot.top + plotHeight - barHeight,
        width: barWidth,
        height: barHeight,
        'data-day': day.day,
        'data-series': series,
        'data-value': text(day[series]),
      });
      bar.append(svg('title', {}, `${day.day} ${series}: ${moneyText(day[series], currency)}`));
      root.append(bar);
    });
    if (index % 5 === 0 || index === days.length - 1) {
      root.append(
        svg(
          'text',
          {
            class: 'axis',
            x: plot.left + slot * index + slot / 2,
            y: height - 20,
            'text-anchor': 'middle',
          },
          day.day.slice(5),
        ),
      );
    }
  });
  SERIES.forEach((series, k) => {
    const x = plot.left + 140 * k;
    root.append(
      svg('rect', { class: `bar ${series} legend`, x, y: height - 12, width: 10, height: 10 }),
      svg('text', { class: 'axis', x: x + 14, y: height - 3 }, series),
    );
  });
  chart.replaceChildren(root);
}

// ---------------------------------------------------------------------------------------------
// Revenue rollforward

function revenueQuery() {
  const query = new URLSearchParams();
  if ($('revenue-from').value) query.set('from', $('revenue-from').value);
  if ($('revenue-to').value) query.set('to', $('revenue-to').value);
  const currency = $('revenue-currency').value.trim().toUpperCase();
  if (currency) query.set('currency', currency);
  return query;
}

async function loadRevenue() {
  clearError();
  panelState($('revenue-state'), 'Loading…');
  try {
    const data = await getJson(`/finance/revenue?${revenueQuery()}`);
    const rows = data.rows.map((r) => {
      const money = (value) => moneyText(value, r.currency);
      const tr = rowOf([
        [r.day, 'day'],
        [r.currency, 'currency mono'],
        [money(r.opening_deferred), 'opening num'],
        [money(r.sales), 'sales num'],
        [money(r.recognized), 'recognized num'],
        [money(r.breakage), 'breakage num'],
        [money(r.refunds), 'refunds num'],
        [money(r.closing_deferred), 'closing num'],
      ]);
      tr.dataset.day = r.day;
      tr.dataset.currency = r.currency;
      return tr;
    });
    $('revenue-table').tBodies[0].replaceChildren(...rows);
    $('revenue-empty').hidden = rows.length > 0;
    panelState($('revenue-state'), `${data.from} through ${data.to}: ${rows.length} rows`);
  } catch (error) {
    $('revenue-table').tBodies[0].replaceChildren();
    panelFailed($('revenue-state'), error);
    showError(describe(error));
  }
}

async function downloadRevenueCsv() {
  clearError();
  try {
    const blob = await (await request(`/finance/revenue.csv?${revenueQuery()}`)).blob();
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'tally-revenue.csv';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    $('revenue-state').textContent = `Downloaded ${blob.size} bytes.`;
  } catch (error) {
    showError(describe(error));
  }
}

// ---------------------------------------------------------------------------------------------
// Dead letters

/** `ticket` counts the loads: a redrive stops watching once another load (a filter) started. */
const letters = { after: '0', ticket: 0 };

function deadLetterQuery() {
  const query = new URLSearchParams({ after: letters.after, limit: '50' });
  const code = $('dead-letters-code').value.trim();
  if (code) query.set('code', code);
  if ($('dead-letters-status').value) query.set('status', $('dead-letters-status').value);
  const eventId = $('dead-letters-event').value.trim();
  if (eventId) query.set('event_id', eventId);
  return query;
}

function statusText(letter) {
  if (letter.status === 'dead_lettered_again' && letter.again) {
    return `dead-lettered again (#${letter.again.id} ${letter.again.code}: ${letter.again.reason})`;
  }
  return letter.redrive_count > 0
    ? `${letter.status} · redriven ${letter.redrive_count}×`
    : letter.status;
}

async function loadDeadLetters(fromStart) {
  clearError();
  if (fromStart) letters.after = '0';
  const ticket = ++letters.ticket;
  try {
    const page = await getJson(`/admin/dead-letters?${deadLetterQuery()}`);
    const rows = page.rows.map((letter) => {
      const tr = document.createElement('tr');
      tr.dataset.id = letter.id;
      tr.dataset.status = letter.status;
      const pick = document.createElement('input');
      pick.type = 'checkbox';
      pick.className = 'pick';
      pick.value = letter.id;
      pick.setAttribute('aria-label', `select dead letter ${letter.id}`);
      const choose = document.createElement('td');
      choose.append(pick);
      const redrive = document.createElement('button');
      redrive.type = 'button';
      redrive.className = 'redrive write';
      redrive.textContent = 'Redrive';
      redrive.disabled = letter.status === 'applied';
      redrive.addEventListener('click', () => void redriveLetters([letter.id]));
      const act = document.createElement('td');
      act.append(redrive);
      tr.append(
        choose,
        cell(letter.id, 'id mono'),
        cell(timeText(letter.failed_at)),
        cell(letter.code, 'code mono'),
        cell(letter.reason, 'reason description'),
        cell(letter.event_id, 'event mono'),
        cell(
          `${letter.source_topic}/${letter.source_partition}@${letter.source_offset}`,
          'origin mono',
        ),
        cell(statusText(letter), `status ${letter.status}`),
        act,
      );
      return tr;
    });
    const body = $('dead-letters-table').tBodies[0];
    if (fromStart) body.replaceChildren(...rows);
    else body.append(...rows);
    $('dead-letters-empty').hidden = body.rows.length > 0;
    letters.after = page.next_after ?? letters.after;
    $('dead-letters-more').disabled = !page.next_after;
    if ($('dead-letters-state').dataset.state === 'error') panelState($('dead-letters-state'), '');
    return ticket;
  } catch (error) {
    $('dead-letters-table').tBodies[0].replaceChildren();
    $('dead-letters-empty').hidden = true;
    panelFailed($('dead-letters-state'), error);
    showError(describe(error));
    return null;
  }
}

const pendingRedrive = (ids) =>
  ids.some((id) => {
    const row = [...$('dead-letters-table').tBodies[0].rows].find((tr) => tr.dataset.id === id);
    return row?.dataset.status === 'redriven';
  });

async function redriveLetters(ids) {
  if (ids.length === 0) return showError('Select dead letters to redrive.');
  clearError();
  try {
    const { results } = await postJson('/admin/dead-letters/redrive', { ids });
    const counts = {};
    for (const r of results) counts[r.outcome] = (counts[r.outcome] ?? 0) + 1;
    panelState(
      $('dead-letters-state'),
      `Redrive: ${Object.entries(counts)
        .map(([outcome, n]) => `${n} ${outcome.replace(/_/g, ' ')}`)
        .join(', ')}. Status updates as the ledger takes them in.`,
    );
    // The ledger takes them in within moments, or much later behind a busy topic: look again,
    // less and less often, while they are pending and the list shows what it showed.
    let ticket = await loadDeadLetters(true);
    for (let wait = 500; ticket === letters.ticket && pendingRedrive(ids);) {
      await new Promise((resolve) => setTimeout(resolve, wait));
      if (ticket !== letters.ticket || $('view-dead-letters').hidden) break;
      wait = Math.min(wait * 2, 5_000);
      ticket = await loadDeadLetters(true);
    }
  } catch (error) {
    showError(describe(error));
  }
}

// ---------------------------------------------------------------------------------------------
// Audit trail

/** `loads` counts loads begun: only the latest renders (an earlier answer may come after it). */
const audit = { cursor: null, loads: 0 };

function auditQuery() {
  const params = new URLSearchParams();
  for (const [field, id] of [
    ['actor', 'audit-actor'],
    ['action', 'audit-action'],
    ['target_id', 'audit-target'],
  ]) {
    const value = $(id).value.trim();
    if (value) params.set(field, value);
  }
  if ($('audit-from').value) params.set('from', `${$('audit-from').value}T00:00:00Z`);
  if ($('audit-to').value) params.set('to', `${$('audit-to').value}T00:00:00Z`);
  if (audit.cursor) params.set('cursor', audit.cursor);
  return params.toString();
}

async function loadAudit(fromStart) {
  clearError();
  if (fromStart) audit.cursor = null;
  const load = ++audit.loads;
  try {
    const page = await getJson(`/admin/audit?${auditQuery()}`);
    if (load !== audit.loads) return;
    const rows = page.items.map((record) => {
      const tr = rowOf([
        [timeText(record.at)],
        [record.app],
        [`${record.actor.name} (${record.actor.role})`, 'actor'],
        [record.action, 'mono action'],
        [`${record.target.type} ${text(record.target.id)}`, 'mono'],
        [`${record.outcome} ${record.status}`, `outcome ${record.outcome}`],
        [record.request_id, 'mono request'],
      ]);
      tr.dataset.id = record.id;
      return tr;
    });
    const body = $('audit-table').tBodies[0];
    if (fromStart) body.replaceChildren(...rows);
    else body.append(...rows);
    $('audit-empty').hidden = body.rows.length > 0;
    audit.cursor = page.next_cursor;
    $('audit-more').disabled = !page.next_cursor;
    panelState($('audit-state'), '');
  } catch (error) {
    if (load !== audit.loads) return;
    $('audit-table').tBodies[0].replaceChildren();
    $('audit-empty').hidden = true;
    panelFailed($('audit-state'), error);
    showError(describe(error));
  }
}

// ---------------------------------------------------------------------------------------------
// The token and the wiring

function showTokenState() {
  const set = Boolean(sessionStorage.getItem(TOKEN_KEY));
  $('token-state').textContent = set ? 'Token set for this tab' : 'No token';
  delete $('token-state').dataset.state;
  $('token-forget').hidden = !set;
  if (!set) {
    delete document.body.dataset.role;
    $('whoami').textContent = '';
  }
}

/** Who the token is: the page then shows only what that role may do (no writes but for admin). */
async function signIn() {
  try {
    const me = await getJson('/principals/me');
    document.body.dataset.role = me.role;
    $('whoami').textContent = `${me.name} · ${me.role}`;
    if (me.role === 'service') showError('A service token cannot use the console.');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      $('token-state').textContent = 'Token refused';
      $('token-state').dataset.state = 'error';
    }
    showError(describe(error));
  }
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token-input').value.trim();
  if (!token) return showError('Enter the admin token.');
  sessionStorage.setItem(TOKEN_KEY, token);
  $('token-input').value = '';
  showTokenState();
  clearError();
  void signIn();
  const account = state.userId ?? (linkedView() === null ? linkedAccount() : '');
  if (account) {
    $('account-input').value = account;
    void lookUp(account);
  } else showView(linkedView() ?? 'accounts');
  void loadReconciliation();
});

$('token-forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  showTokenState();
  hideAccountSections();
  $('reconciliation').hidden = true;
});

$('lookup-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const userId = $('account-input').value.trim();
  if (!userId) return showError('Enter an account (user id).');
  void lookUp(userId);
});

$('ledger-older').addEventListener('click', () => {
  state.cursors.push($('ledger-older').dataset.cursor);
  void refresh(loadLedger);
});

$('ledger-newer').addEventListener('click', () => {
  state.cursors.pop();
  void refresh(loadLedger);
});

$('page-size').addEventListener('change', () => {
  state.cursors = [null];
  if (state.userId) void refresh(loadLedger);
});

$('usage-period').addEventListener('change', () => {
  if (state.userId) void refresh(loadUsage);
});

$('reconciliation-refresh').addEventListener('click', () => void loadReconciliation());

$('export-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void downloadCsv();
});

$('overview-refresh').addEventListener('click', () => void loadOverview());
$('overview-currency').addEventListener('change', () => drawMoneyChart());
$('revenue-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void loadRevenue();
});
$('revenue-csv').addEventListener('click', () => void downloadRevenueCsv());
$('dead-letters-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void loadDeadLetters(true);
});
$('dead-letters-more').addEventListener('click', () => void loadDeadLetters(false));
$('audit-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void loadAudit(true);
});
$('audit-more').addEventListener('click', () => void loadAudit(false));
$('dead-letters-redrive-selected').addEventListener('click', () => {
  const ids = [...document.querySelectorAll('#dead-letters-table input.pick:checked')].map(
    (box) => box.value,
  );
  void redriveLetters(ids);
});
window.addEventListener('hashchange', () => {
  const view = linkedView();
  if (view) return showView(view);
  // #alice typed into the address of an open tab opens that account (lookUp writes the same hash
  // back, which changes nothing and so fires no second event).
  const account = linkedAccount();
  if (!account || (account === state.userId && !$('view-accounts').hidden)) return;
  $('account-input').value = account;
  void lookUp(account);
});

/** The account named in the address (#alice), so a lookup can be bookmarked or shared. */
function linkedAccount() {
  try {
    return decodeURIComponent(location.hash.slice(1));
  } catch {
    return '';
  }
}

showTokenState();
if (sessionStorage.getItem(TOKEN_KEY)) void signIn();
const linked = linkedView() === null ? linkedAccount() : '';
if (linked && sessionStorage.getItem(TOKEN_KEY)) {
  $('account-input').value = linked;
  void lookUp(linked);
} else {
  showView(linkedView() ?? 'accounts');
  void loadReconciliation();
}
