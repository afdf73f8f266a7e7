import { useCreditStore } from './support/apps';
import { scalar } from './support/db';
import { call } from './support/http';
import { unique } from './support/wait';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Sums {
  calls: number;
  credits: number;
  input_tokens: number;
  cached_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  output_tokens: number;
  seconds: number;
}
interface Usage {
  user_id: string;
  period: string;
  from: string | null;
  totals: Sums;
  by_source_model: (Sums & { source: string; model: string | null })[];
  by_day: (Sums & { day: string })[];
}

/** One priced call as the charge consumer records it; `ago` is how long before now it happened. */
interface Call {
  ago: number;
  source: string;
  mode: string;
  model: string | null;
  amount: number;
  input_tokens?: number;
  cached_tokens?: number;
  reasoning_tokens?: number;
  output_tokens?: number;
  seconds?: number;
}

const ZERO: Sums = {
  calls: 0,
  credits: 0,
  input_tokens: 0,
  cached_tokens: 0,
  cache_write_tokens: 0,
  reasoning_tokens: 0,
  output_tokens: 0,
  seconds: 0,
};

describe('usage dashboard: GET /accounts/:user_id/usage', () => {
  const app = useCreditStore();
  const now = Date.now();

  async function record(user: string, calls: Call[]): Promise<void> {
    for (const c of calls) {
      await app.db.query(
        `INSERT INTO usage_records (event_id, user_id, source, mode, provider, model, amount,
                                    input_tokens, cached_tokens, reasoning_tokens, output_tokens,
                                    seconds, occurred_at)
         VALUES ($1, $2, $3, $4, 'test', $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          unique('use'),
          user,
          c.source,
          c.mode,
          c.model,
          c.amount,
          c.input_tokens ?? 0,
          c.cached_tokens ?? 0,
          c.reasoning_tokens ?? 0,
          c.output_tokens ?? 0,
          c.seconds ?? 0,
          new Date(now - c.ago).toISOString(),
        ],
      );
    }
  }

  const usage = (user: string, query = '', as: 'admin' | 'internal' | 'none' = 'internal') =>
    call<Usage>('GET', `${app.store.url}/accounts/${user}/usage${query}`, { as });

  const dayOf = (ago: number) => new Date(now - ago).toISOString().slice(0, 10);

  describe('one user’s calls over 40 days', () => {
    const user = unique('dash');
    const other = unique('other');
    const gptX = { source: 'chat', mode: 'tokens', model: 'gpt-x' };
    const calls: Call[] = [
      {
        ...gptX,
        ago: 1 * HOUR,
        amount: 12,
        input_tokens: 1000,
        cached_tokens: 200,
        reasoning_tokens: 50,
        output_tokens: 300,
      },
      { ...gptX, ago: 2 * HOUR, amount: 8, input_tokens: 500, output_tokens: 100 },
      {
        source: 'chat',
        mode: 'free',
        model: 'gpt-free',
        ago: 3 * HOUR,
        amount: 0,
        input_tokens: 5,
      },
      {
        source: 'tts',
        mode: 'duration',
        model: 'voice-1',
        ago: 3 * DAY,
        amount: 30,
        seconds: 12.5,
      },
      { source: 'video', mode: 'fixed', model: null, ago: 10 * DAY, amount: 100, seconds: 6 },
      { ...gptX, ago: 40 * DAY, amount: 1000, input_tokens: 99_999 },
    ];

    beforeAll(async () => {
      await record(user, calls);
      await record(other, [{ ...gptX, ago: HOUR, amount: 555, input_tokens: 7 }]);
    });

    it('sums the last 24 hours, free calls counted with 0 credits', async () => {
      const answer = await usage(user, '?period=24h');
      expect(answer.status).toBe(200);
      expect(answer.body.user_id).toBe(user);
      expect(answer.body.period).toBe('24h');
      expect(Date.parse(answer.body.from!)).toBeGreaterThanOrEqual(now - DAY);
      expect(Date.parse(answer.body.from!)).toBeLessThan(Date.now() - DAY + 1);
      expect(answer.body.totals).toEqual({
        calls: 3,
        credits: 20,
        input_tokens: 1505,
        cached_tokens: 200,
        cache_write_tokens: 0,
        reasoning_tokens: 50,
        output_tokens: 400,
        seconds: 0,
      });
      expect(answer.body.by_source_model).toEqual([
        {
          source: 'chat',
          model: 'gpt-x',
          calls: 2,
          credits: 20,
          input_tokens: 1500,
          cached_tokens: 200,
          cache_write_tokens: 0,
          reasoning_tokens: 50,
          output_tokens: 400,
          seconds: 0,
        },
        { source: 'chat', model: 'gpt-free', ...ZERO, calls: 1, input_tokens: 5 },
      ]);
    });

    it.each([
      ['?period=7d', '7d', 4, 50, 12.5],
      ['', '30d', 5, 150, 18.5],
      ['?period=30d', '30d', 5, 150, 18.5],
      ['?period=all', 'all', 6, 1150, 18.5],
    ])('%s answers period %s: %i calls, %i credits', async (query, period, n, credits, seconds) => {
      const answer = await usage(user, query, 'admin');
      expect(answer.status).toBe(200);
      expect(answer.body.period).toBe(period);
      expect(answer.body.totals).toMatchObject({ calls: n, credits, seconds });
      expect(answer.body.from === null).toBe(period === 'all');
      // The groupings add up to the totals.
      for (const groups of [answer.body.by_source_model, answer.body.by_day]) {
        expect(groups.reduce((sum, g) => sum + g.calls, 0)).toBe(n);
        expect(groups.reduce((sum, g) => sum + g.credits, 0)).toBe(credits);
      }
    });

    it('groups by source and model, most credits first, and by UTC day in order', async () => {
      const { body } = await usage(user, '?period=all');
      expect(body.by_source_model.map((g) => [g.source, g.model, g.calls, g.credits])).toEqual([
        ['chat', 'gpt-x', 3, 1020],
        ['video', null, 1, 100],
        ['tts', 'voice-1', 1, 30],
        ['chat', 'gpt-free', 1, 0],
      ]);
      expect(body.by_source_model[0].input_tokens).toBe(101_499);

      const expectedDays = new Map<string, { calls: number; credits: number }>();
      for (const c of calls) {
        const day = expectedDays.get(dayOf(c.ago)) ?? { calls: 0, credits: 0 };
        expectedDays.set(dayOf(c.ago), { calls: day.calls + 1, credits: day.credits + c.amount });
      }
      expect(body.by_day.map(({ day, calls: n, credits }) => ({ day, calls: n, credits }))).toEqual(
        [...expectedDays.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([day, sums]) => ({ day, ...sums })),
      );
      expect(body.by_day.find((d) => d.day === dayOf(3 * DAY))).toMatchObject({ seconds: 12.5 });
    });
  });

  it('answers zeros for a user with no calls, and creates no account', async () => {
    const user = unique('nobody');
    const answer = await usage(user);
    expect(answer).toMatchObject({
      status: 200,
      body: { user_id: user, period: '30d', totals: ZERO, by_source_model: [], by_day: [] },
    });
    expect(await scalar(app.db, `SELECT count(*) FROM accounts WHERE user_id = $1`, [user])).toBe(
      0,
    );
  });

  it('sums tokens past 2^32 exactly', async () => {
    const user = unique('big');
    const huge = { source: 'chat', mode: 'tokens', model: 'm', amount: 1, ago: HOUR };
    await record(user, [
      { ...huge, input_tokens: 3_000_000_000, output_tokens: 4_000_000_001 },
      { ...huge, input_tokens: 3_000_000_000, output_tokens: 4_000_000_001 },
    ]);
    const { body } = await usage(user, '?period=24h');
    expect(body.totals).toMatchObject({
      input_tokens: 6_000_000_000,
      output_tokens: 8_000_000_002,
    });
  });

  it.each([
    ['?period=1y', 'period'],
    ['?period=', 'period'],
    ['?period=24H', 'period'],
    ['?period=24h&period=7d', 'period'],
    ['?days=7', 'days'],
  ])('refuses %s with 400 naming %s', async (query, field) => {
    const answer = await call<{ code: string; details: string[] }>(
      'GET',
      `${app.store.url}/accounts/${unique('u')}/usage${query}`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_failed');
    expect(answer.body.details.join('\n')).toMatch(new RegExp(`^${field}\\b`, 'm'));
  });

  it('refuses a malformed user id with 400', async () => {
    const answer = await usage('bad%20user!');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'validation_failed' });
  });

  it('takes the admin and internal tokens, and no other', async () => {
    const user = unique('auth');
    expect((await usage(user, '', 'admin')).status).toBe(200);
    expect((await usage(user, '', 'internal')).status).toBe(200);
    expect(await usage(user, '', 'none')).toMatchObject({
      status: 401,
      body: { code: 'unauthorized' },
    });
  });
});
