import { useCreditStore } from './support/apps';
import { rows, scalar } from './support/db';
import { call } from './support/http';
import { TEST_TOKENS } from './support/test-env';
import { chainRawEntries } from './support/ledger-chain';
import { eventually, unique } from './support/wait';

const HEADER =
  'id,event_id,created_at,occurred_at,user_id,source,direction,amount,balance_before,' +
  'balance_after,status,source_ref_id,order_id,hold_id,description,rule_id,rule_version,model,' +
  'metadata';

/** A post-paid charge written straight into the ledger, at a chosen created_at. */
interface SeedCharge {
  event_id: string;
  source: string;
  amount: number;
  created_at: string;
  status?: 'applied' | 'rejected';
  occurred_at?: string;
  description?: string;
  metadata?: Record<string, unknown>;
  pricing?: Record<string, unknown>;
  source_ref_id?: string;
  order_id?: string;
  hold_id?: string;
}

describe('finance: ledger.csv export and daily summary', () => {
  const app = useCreditStore();

  const exportCsv = (query: string, token = TEST_TOKENS.admin, signal?: AbortSignal) =>
    fetch(`${app.store.url}/finance/ledger.csv${query}`, {
      headers: { authorization: `Bearer ${token}` },
      signal,
    });

  /**
   * Expenses only, chained from a zero balance, with the account's balance and total_consumed to
   * match: the ledger stays reconcilable for the other suites of the run.
   */
  async function seedCharges(user: string, charges: SeedCharge[]): Promise<void> {
    const spent = charges.reduce((sum, c) => sum + (c.status === 'rejected' ? 0 : c.amount), 0);
    await app.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO accounts (user_id, balance, total_consumed) VALUES ($1, $2, $3)`,
        [user, -spent, spent],
      );
      let balance = 0;
      for (const c of charges) {
        const after = c.status === 'rejected' ? balance : balance - c.amount;
        await tx.query(
          `INSERT INTO ledger_entries (event_id, user_id, source, direction, amount, balance_before,
                                       balance_after, status, description, metadata, pricing,
                                       source_ref_id, order_id, hold_id, occurred_at, created_at)
           VALUES ($1, $2, $3, 'expense', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
          [
            c.event_id,
            user,
            c.source,
            -c.amount,
            balance,
            after,
            c.status ?? 'applied',
            c.description ?? null,
            JSON.stringify(c.metadata ?? {}),
            c.pricing ? JSON.stringify(c.pricing) : null,
            c.source_ref_id ?? null,
            c.order_id ?? null,
            c.hold_id ?? null,
            c.occurred_at ?? null,
            c.created_at,
          ],
        );
        balance = after;
      }
      await chainRawEntries(tx, [user]);
    });
  }

  /** N charges of 1 credit, one second apart from `start`, by one INSERT ... SELECT. */
  async function seedBulk(user: string, n: number, start: string, description = 'bulk') {
    await app.db.query(
      `INSERT INTO accounts (user_id, balance, total_consumed) VALUES ($1, $2, $3)`,
      [user, -n, n],
    );
    await app.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO ledger_entries (event_id, user_id, source, direction, amount, balance_before,
                                     balance_after, status, description, created_at)
         SELECT $1 || ':' || i, $1, 'chat', 'expense', -1, -(i - 1), -i, 'applied', $4,
                $3::timestamptz + (i - 1) * interval '1 second'
           FROM generate_series(1, $2::int) AS i ORDER BY i`,
        [user, n, start, description],
      );
      await chainRawEntries(tx, [user]);
    });
  }

  const idOf = async (eventId: string) =>
    scalar(app.db, `SELECT id FROM ledger_entries WHERE event_id = $1`, [eventId]);

  /** The export's backend while it sits inside its transaction (waiting for the client). */
  const exportBackends = () =>
    rows<{ pid: number; state: string }>(
      app.db,
      `SELECT pid, state FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'FETCH % FROM ledger_export'
          AND state <> 'idle'`,
    );

  describe('a known day in 2020', () => {
    const user = unique('csv');
    const ev = (name: string) => `${user}-${name}`;

    beforeAll(() =>
      seedCharges(user, [
        {
          event_id: ev('before'),
          source: 'chat',
          amount: 1,
          created_at: '2020-01-31T23:59:59.999999Z',
        },
        {
          event_id: ev('first'),
          source: 'chat',
          amount: 5,
          created_at: '2020-02-01T00:00:00Z',
          occurred_at: '2020-01-31T23:59:59.5Z',
          description: 'bonus, "welcome"',
          metadata: { note: 'a,b' },
          pricing: { mode: 'tokens', rule_id: 'r1', rule_version: 3, model: 'gpt-x', usage: {} },
          source_ref_id: 'req-1',
        },
        {
          event_id: ev('formula'),
          source: 'video',
          amount: 2,
          created_at: '2020-02-01T10:00:00.123456Z',
          description: '=HYPERLINK("http://x","y")',
          source_ref_id: '@ref',
          order_id: '+order',
          hold_id: '-hold',
        },
        {
          event_id: ev('rejected'),
          source: 'chat',
          amount: 7,
          status: 'rejected',
          created_at: '2020-02-01T23:59:59.999999Z',
          description: 'line1\r\nline2\nline3',
          metadata: { say: '"hi"' },
        },
        { event_id: ev('at-to'), source: 'chat', amount: 3, created_at: '2020-02-02T00:00:00Z' },
        // 23:30 in New York is 04:30 the next day in UTC.
        {
          event_id: ev('late'),
          source: 'chat',
          amount: 4,
          created_at: '2020-02-01T23:30:00-05:00',
        },
      ]),
    );

    it('exports exactly the window [from, to) as RFC 4180 CSV, formulas defused', async () => {
      const response = await exportCsv('?from=2020-02-01T00:00:00Z&to=2020-02-02T00:00:00Z');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe('attachment; filename="ledger.csv"');
      const [first, formula, rejected] = await Promise.all(
        ['first', 'formula', 'rejected'].map((name) => idOf(ev(name))),
      );
      expect(await response.text()).toBe(
        [
          HEADER,
          `${first},${ev('first')},2020-02-01T00:00:00.000000Z,2020-01-31T23:59:59.500000Z,` +
            `${user},chat,expense,-5,-1,-6,applied,req-1,,,"bonus, ""welcome""",r1,3,gpt-x,` +
            `"{""note"": ""a,b""}"`,
          `${formula},${ev('formula')},2020-02-01T10:00:00.123456Z,,${user},video,expense,-2,-6,` +
            `-8,applied,'@ref,'+order,'-hold,"'=HYPERLINK(""http://x"",""y"")",,,,{}`,
          `${rejected},${ev('rejected')},2020-02-01T23:59:59.999999Z,,${user},chat,expense,-7,` +
            `-8,-8,rejected,,,,"line1\r\nline2\nline3",,,,"{""say"": ""\\""hi\\""""}"`,
          '',
        ].join('\r\n'),
      );
    });

    it('takes zoned timestamps and dates, and leaves a bound open when it is missing', async () => {
      const ids = async (query: string) => {
        const text = await (await exportCsv(query)).text();
        return text
          .split('\r\n')
          .filter((line) => line.includes(`,${user},`))
          .map((line) => line.split(',')[1].slice(user.length + 1));
      };
      expect(await ids('?from=2020-02-01T19:00:00-05:00&to=2020-02-03')).toEqual(['at-to', 'late']);
      expect(await ids('?to=2020-02-01T00:00:00.001Z')).toEqual(['before', 'first']);
      expect(await ids('?from=2020-02-01T23:59:59.999Z&to=2020-02-02T00:00:00Z')).toEqual([
        'rejected',
      ]);
      expect(await (await exportCsv('?from=1999-01-01&to=1999-01-02')).text()).toBe(
        `${HEADER}\r\n`,
      );
    });

    it('sums applied entries per UTC day, source and direction, exactly', async () => {
      const answer = await call(
        'GET',
        `${app.store.url}/finance/summary?from=2020-01-31&to=2020-02-03`,
      );
      expect(answer).toEqual({
        status: 200,
        body: {
          from: '2020-01-31T00:00:00.000Z',
          to: '2020-02-03T00:00:00.000Z',
          days: [
            { day: '2020-01-31', source: 'chat', direction: 'expense', entries: 1, amount: -1 },
            { day: '2020-02-01', source: 'chat', direction: 'expense', entries: 1, amount: -5 },
            { day: '2020-02-01', source: 'video', direction: 'expense', entries: 1, amount: -2 },
            { day: '2020-02-02', source: 'chat', direction: 'expense', entries: 2, amount: -7 },
          ],
        },
      });
    });
  });

  it('sums incomes made through the API by day, source and direction', async () => {
    const from = new Date().toISOString();
    const user = unique('summary');
    for (const [amount, source] of [
      [10, 'gift'],
      [7, 'gift'],
      [100, 'purchase'],
    ] as const) {
      const granted = await call('POST', `${app.store.url}/accounts/${user}/grants`, {
        body: { event_id: unique('g'), amount, source },
      });
      expect(granted.status).toBe(201);
    }
    const to = new Date(Date.now() + 1000).toISOString();
    const answer = await call<{ from: string; to: string; days: unknown[] }>(
      'GET',
      `${app.store.url}/finance/summary?from=${from}&to=${to}`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.from).toBe(from);
    expect(answer.body.to).toBe(to);
    const today = from.slice(0, 10);
    expect(answer.body.days).toEqual(
      expect.arrayContaining([
        { day: today, source: 'gift', direction: 'income', entries: 2, amount: 17 },
        { day: today, source: 'purchase', direction: 'income', entries: 1, amount: 100 },
      ]),
    );
  });

  it('streams a 20,000-entry export completely, in id order', async () => {
    const user = unique('bulk');
    await seedBulk(user, 20_000, '2021-03-01T00:00:00Z');
    const started = Date.now();
    const response = await exportCsv('?from=2021-03-01&to=2021-03-02');
    expect(response.status).toBe(200);
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const lines = (await response.text()).split('\r\n');
    const elapsedMs = Date.now() - started;
    expect(lines[0]).toBe(HEADER);
    expect(lines.at(-1)).toBe('');
    const body = lines.slice(1, -1);
    expect(body).toHaveLength(20_000);
    const ids = body.map((line) => Number(line.split(',')[0]));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
    expect(body[0]).toContain(
      `,${user}:1,2021-03-01T00:00:00.000000Z,,${user},chat,expense,-1,0,-1,`,
    );
    expect(body.at(-1)).toContain(`,${user}:20000,2021-03-01T05:33:19.000000Z,,`);
    expect(body.at(-1)).toContain(',-1,-19999,-20000,applied,');
    expect(elapsedMs).toBeLessThan(10_000);
  });

  describe('a wide export the client reads slowly', () => {
    // ~40 MB of CSV: more than the loopback socket buffers hold, so the server must wait.
    const rowsCount = 20_000;
    const from = '2021-04-01';
    const to = '2021-04-02';

    beforeAll(() => seedBulk(unique('wide'), rowsCount, `${from}T00:00:00Z`, 'w'.repeat(2000)));

    async function openPaused(signal?: AbortSignal) {
      const response = await exportCsv(`?from=${from}&to=${to}`, TEST_TOKENS.admin, signal);
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value as Uint8Array).startsWith(HEADER)).toBe(true);
      // The server stops in the middle, its transaction open, waiting for the socket to drain:
      // idle and still idle 300 ms later (until the client's own buffers are full, a paused
      // reader still takes bytes, and the server fetches on).
      const [backend] = await eventually(async () => {
        const found = await exportBackends();
        expect(found).toEqual([expect.objectContaining({ state: 'idle in transaction' })]);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await exportBackends()).toEqual(found);
        return found;
      });
      return { reader, backend };
    }

    it('waits for the client, and stops and gives its connection back when the client leaves', async () => {
      const abort = new AbortController();
      const { reader } = await openPaused(abort.signal);
      abort.abort();
      await reader.cancel().catch(() => undefined);
      await eventually(async () => expect(await exportBackends()).toEqual([]));

      const response = await exportCsv(`?from=${from}&to=${to}`);
      const lines = (await response.text()).split('\r\n');
      expect(lines).toHaveLength(rowsCount + 2);
    });

    it('cuts the transfer off when the database fails half-way, instead of ending the file', async () => {
      const { reader, backend } = await openPaused();
      await app.db.query(`SELECT pg_terminate_backend($1)`, [backend.pid]);
      const readAll = async () => {
        for (;;) if ((await reader.read()).done) return;
      };
      await expect(readAll()).rejects.toThrow();

      const health = await call('GET', `${app.store.url}/finance/summary?from=${from}&to=${to}`);
      expect(health.body).toMatchObject({
        days: [expect.objectContaining({ entries: rowsCount })],
      });
    });
  });

  it.each([
    ['/finance/ledger.csv?from=yesterday', 'from'],
    ['/finance/ledger.csv?to=2026-13-01T00:00:00Z', 'to'],
    ['/finance/ledger.csv?from=2026-01-01T00:00:00', 'from'],
    ['/finance/ledger.csv?from=20260101T000000Z', 'from'],
    ['/finance/summary?to=2026-01-01T00:00:00-05', 'to'],
    ['/finance/summary?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['/finance/summary?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
    ['/finance/summary?from=2026-01-01&from=2026-01-02', 'from'],
    ['/finance/summary?day=1', 'day'],
  ])('refuses GET %s with 400 naming %s', async (path, field) => {
    const answer = await call<{ code: string; details: string[] }>(
      'GET',
      `${app.store.url}${path}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_failed');
    expect(answer.body.details.join('\n')).toMatch(new RegExp(`^${field}\\b`, 'm'));
  });

  it('keeps finance to the admin token', async () => {
    expect((await exportCsv('', TEST_TOKENS.internal)).status).toBe(403);
    expect((await exportCsv('', 'not-a-token')).status).toBe(401);
    const summary = (as: 'internal' | 'none') =>
      call('GET', `${app.store.url}/finance/summary`, { as });
    expect(await summary('internal')).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await summary('none')).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
  });
});
