import { useCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { call } from './support/http';
import { TEST_TOKENS } from './support/test-env';
import { chainRawEntries } from './support/ledger-chain';
import { eventually, unique } from './support/wait';

describe('finance export and summary, usage dashboard', () => {
  const app = useCreditStore();

  const csv = async (query: string, token = TEST_TOKENS.admin) => {
    const response = await fetch(`${app.store.url}/finance/ledger.csv${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return {
      status: response.status,
      type: response.headers.get('content-type'),
      text: await response.text(),
    };
  };
  const grant = (user: string, amount: number, description: string) =>
    call('POST', `${app.store.url}/accounts/${user}/grants`, {
      body: { event_id: unique('g'), amount, source: 'gift', description },
    });

  it('exports the window’s entries as CSV, quoted and with formulas defused', async () => {
    const from = new Date().toISOString();
    const user = unique('user');
    await grant(user, 10, 'bonus, "welcome"');
    await grant(user, 5, '=cmd|calc');
    const to = new Date(Date.now() + 1000).toISOString();
    const answer = await csv(`?from=${from}&to=${to}`);
    expect(answer.status).toBe(200);
    expect(answer.type).toContain('text/csv');
    const lines = answer.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'id,event_id,created_at,occurred_at,user_id,source,direction,amount,balance_before,balance_after,status,source_ref_id,order_id,hold_id,description,rule_id,rule_version,model,metadata',
    );
    const mine = lines.filter((l) => l.includes(user));
    expect(mine).toHaveLength(2);
    expect(mine[0]).toContain(`,${user},gift,income,10,0,10,applied,,,,"bonus, ""welcome""",`);
    expect(mine[1]).toContain(`,income,5,10,15,applied,,,,'=cmd|calc,`);
  });

  it('streams a 20,000-entry export completely', async () => {
    const user = unique('bulk');
    const from = new Date().toISOString();
    // A consistent chain of 20,000 post-paid charges, written in one statement.
    await app.db.query(
      `INSERT INTO accounts (user_id, balance, total_consumed) VALUES ($1, -20000, 20000)`,
      [user],
    );
    await app.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO ledger_entries (event_id, user_id, source, direction, amount, balance_before,
                                     balance_after, status)
         SELECT $1 || ':' || i, $1, 'chat', 'expense', -1, -(i - 1), -i, 'applied'
           FROM generate_series(1, 20000) AS i ORDER BY i`,
        [user],
      );
      await chainRawEntries(tx, [user]);
    });
    const answer = await csv(`?from=${from}`);
    const lines = answer.text
      .trimEnd()
      .split('\r\n')
      .filter((l) => l.includes(`,${user},`));
    expect(lines).toHaveLength(20000);
    expect(lines.at(-1)).toContain(`,-1,-19999,-20000,`);
  });

  it('sums each day by source and direction', async () => {
    const from = new Date().toISOString();
    const user = unique('user');
    await grant(user, 10, 'a');
    await grant(user, 7, 'b');
    const answer = await call<{
      days: { source: string; direction: string; entries: number; amount: number }[];
    }>(
      'GET',
      `${app.store.url}/finance/summary?from=${from}&to=${new Date(Date.now() + 1000).toISOString()}`,
    );
    expect(answer.body.days).toEqual([
      expect.objectContaining({ source: 'gift', direction: 'income', entries: 2, amount: 17 }),
    ]);
  });

  it.each([
    ['GET', '/finance/ledger.csv?from=yesterday'],
    ['GET', '/finance/summary?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z'],
    ['GET', '/finance/summary?day=1'],
  ])('refuses %s %s with 400', async (method, path) => {
    const answer = await call(method, `${app.store.url}${path}`);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_failed');
  });

  it('keeps finance to the admin token', async () => {
    expect((await csv('', TEST_TOKENS.internal)).status).toBe(403);
    expect((await call('GET', `${app.store.url}/finance/summary`, { as: 'internal' })).status).toBe(
      403,
    );
    expect(
      (await call('GET', `${app.store.url}/finance/reconciliation`, { as: 'none' })).status,
    ).toBe(401);
  });

  it('shows usage by source, model and day, free calls included', async () => {
    const user = unique('user');
    const tokens = {
      mode: 'tokens',
      model: 'gpt-x',
      rule_id: '1',
      rule_version: 2,
      usage: { input_tokens: 1000, cached_tokens: 200, output_tokens: 300, reasoning_tokens: 50 },
    };
    const charges = [
      chargeEvent(user, 12, unique('c'), { source: 'chat', pricing: tokens }),
      chargeEvent(user, 8, unique('c'), { source: 'chat', pricing: tokens }),
      chargeEvent(user, 0, unique('c'), {
        source: 'chat',
        pricing: { mode: 'free', model: 'gpt-free', usage: { input_tokens: 5 } },
      }),
    ];
    await produceCharges(...charges);
    type Usage = {
      totals: Record<string, number>;
      by_source_model: Record<string, unknown>[];
      by_day: Record<string, unknown>[];
    };
    const usage = await eventually(async () => {
      const answer = await call<Usage>(
        'GET',
        `${app.store.url}/accounts/${user}/usage?period=24h`,
        {
          as: 'internal',
        },
      );
      expect(answer.body.totals.calls).toBe(3);
      return answer.body;
    });
    expect(usage.totals).toEqual({
      calls: 3,
      credits: 20,
      input_tokens: 2005,
      cached_tokens: 400,
      cache_write_tokens: 0,
      reasoning_tokens: 100,
      output_tokens: 600,
      seconds: 0,
    });
    expect(usage.by_source_model).toEqual([
      expect.objectContaining({ source: 'chat', model: 'gpt-x', calls: 2, credits: 20 }),
      expect.objectContaining({ source: 'chat', model: 'gpt-free', calls: 1, credits: 0 }),
    ]);
    expect(usage.by_day).toEqual([
      expect.objectContaining({ day: new Date().toISOString().slice(0, 10), calls: 3 }),
    ]);
    // The free call moved no credits.
    expect(
      (await call<{ balance: number }>('GET', `${app.store.url}/accounts/${user}`)).body.balance,
    ).toBe(-20);
    const bad = await call('GET', `${app.store.url}/accounts/${user}/usage?period=1y`);
    expect(bad.status).toBe(400);
  });
});
