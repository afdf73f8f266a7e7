/* global document, sessionStorage, location, URLSearchParams */
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
  for (const id of ['account', 'ledger', 'usage']) $(id).hidden = true;
}

async function loadAccount(userId, isCurrent) {
  const account = await getJson(`/accounts/${encodeURIComponent(userId)}`);
  if (!isCurrent()) return;
  $('account-id').textContent = account.user_id;
  for (const field of [
    'balance',
    'total_recharged',
    'total_rewarded',
    'total_consumed',
    'total_expired',
    'total_refunded',
  ]) {
    $(`account-${field}`).textContent = text(account[field]);
  }
  $('account-updated_at').textContent = account.updated_at ? timeText(account.updated_at) : '—';
  $('account-blocked').textContent = account.blocked ? 'Blocked' : 'Active';
  $('account-blocked').className = `badge ${account.blocked ? 'bad' : 'ok'}`;
  $('account').hidden = false;
}

async function loadLedger(userId, isCurrent) {
  const query = new URLSearchParams({ limit: $('page-size').value });
  const cursor = state.cursors[state.cursors.length - 1];
  if (cursor) query.set('cursor', cursor);
  const page = await getJson(`/accounts/${encodeURIComponent(userId)}/ledger?${query}`);
  if (!isCurrent()) return;

  // A refund names the charge it gives back; that charge, when on the page, says it was refunded.
  const refundsOf = new Map();
  for (const entry of page.items) {
    if (entry.source !== 'refund') continue;
    refundsOf.set(entry.source_ref_id, [
      ...(refundsOf.get(entry.source_ref_id) ?? []),
      entry.event_id,
    ]);
  }
  const rows = page.items.map((entry) => {
    const tr = document.createElement('tr');
    tr.dataset.eventId = entry.event_id;
    const refunds = refundsOf.get(entry.event_id);
    const link =
      entry.source === 'refund'
        ? note(`↩ refund of ${entry.source_ref_id}`, 'refund-of mono')
        : refunds
          ? note(`refunded by ${refunds.join(', ')}`, 'refunded-by mono')
          : undefined;
    if (entry.source === 'refund') tr.dataset.refundOf = entry.source_ref_id;
    const created = cell(timeText(entry.created_at));
    created.title = text(entry.created_at);
    tr.append(
      created,
      cell(entry.event_id, 'event mono'),
      cell(entry.direction, `direction ${entry.direction}`),
      cell(entry.source, 'source'),
      cell(entry.amount, `amount ${signClass(entry.amount)}`),
      cell(entry.balance_before, 'balance-before num'),
      cell(entry.balance_after, 'balance-after num'),
      cell(entry.status, `status ${entry.status}`),
      cell(entry.description, 'description'),
    );
    if (link) tr.lastChild.prepend(link, document.createElement('br'));
    return tr;
  });
  $('ledger-rows').replaceChildren(...rows);
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
  const plotWidth = width - plot.left - plot.right;
  const plotHeight = height - plot.top - plot.bottom;
  const top = niceCeiling(Math.max(1, ...days.map((day) => Number(day.credits))));
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': 'Credits used by day',
  });

  for (const fraction of [0, 0.5, 1]) {
    const y = plot.top + plotHeight * (1 - fraction);
    root.append(
      svg('line', { class: 'gridline', x1: plot.left, x2: width - plot.right, y1: y, y2: y }),
      svg(
        'text',
        { class: 'axis', x: plot.left - 8, y: y + 4, 'text-anchor': 'end' },
        `${top * fraction}`,
      ),
    );
  }

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
      svg('title', {}, `${day.day}: ${text(day.credits)} credits, ${text(day.calls)} calls`),
    );
    root.append(bar);
    if (days.length <= 16) {
      root.append(
        svg(
          'text',
          { class: 'value', x: x + barWidth / 2, y: y - 6, 'text-anchor': 'middle' },
          text(day.credits),
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
  $('usage-totals').textContent = `${text(credits)} credits in ${text(calls)} calls`;
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
      `${text(result.accounts_checked)} account${result.accounts_checked === 1 ? '' : 's'} ` +
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
// The token and the wiring

function showTokenState() {
  const set = Boolean(sessionStorage.getItem(TOKEN_KEY));
  $('token-state').textContent = set ? 'Token set for this tab' : 'No token';
  $('token-forget').hidden = !set;
}

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('token-input').value.trim();
  if (!token) return showError('Enter the admin token.');
  sessionStorage.setItem(TOKEN_KEY, token);
  $('token-input').value = '';
  showTokenState();
  clearError();
  void (state.userId ? lookUp(state.userId) : loadReconciliation());
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

/** The account named in the address (#alice), so a lookup can be bookmarked or shared. */
function linkedAccount() {
  try {
    return decodeURIComponent(location.hash.slice(1));
  } catch {
    return '';
  }
}

showTokenState();
const linked = linkedAccount();
if (linked && sessionStorage.getItem(TOKEN_KEY)) {
  $('account-input').value = linked;
  void lookUp(linked);
} else {
  void loadReconciliation();
}
