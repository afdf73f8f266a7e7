import { useCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { rows, scalar } from './support/db';
import { call } from './support/http';
import { accountOf, giftGrant } from './support/ledger-calls';
import { eventually, unique } from './support/wait';

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

interface Account {
  balance: number;
  total_expired: number;
  total_consumed: number;
}

describe('grants: FIFO by expiry, overdraft paid back first, expiry exactly once', () => {
  const app = useCreditStore();

  const grant = (user: string, amount: number, expires_at?: string | null) =>
    giftGrant(app.store.url, user, amount, expires_at);
  const account = (user: string) => accountOf<Account>(app.store.url, user);
  const remaining = async (user: string) =>
    Object.fromEntries(
      (
        await rows<{ event_id: string; remaining: string }>(
          app.db,
          `SELECT event_id, remaining FROM grants WHERE user_id = $1`,
          [user],
        )
      ).map((r) => [r.event_id, Number(r.remaining)]),
    );
  const charge = async (user: string, amount: number) => {
    const event = chargeEvent(user, amount);
    await produceCharges(event);
    await eventually(async () =>
      expect((await call('GET', `${app.store.url}/ledger/${event.event_id}`)).status).toBe(200),
    );
    return (
      await call<{ allocations: unknown }>('GET', `${app.store.url}/ledger/${event.event_id}`)
    ).body;
  };
  const passExpiry = (grantEventId: string) =>
    app.db.query(`UPDATE grants SET expires_at = now() - interval '1 second' WHERE event_id = $1`, [
      grantEventId,
    ]);
  const expireGrants = async () =>
    (await call<{ expired: number }>('POST', `${app.store.url}/admin/jobs/expire-grants`)).body
      .expired;
  const reconciliation = async () =>
    (
      await call<{ ok: boolean; mismatches: unknown[] }>(
        'GET',
        `${app.store.url}/finance/reconciliation`,
      )
    ).body;

  it('spends the credits that expire first, never-expiring ones last', async () => {
    const user = unique('user');
    const never = await grant(user, 100, null);
    const late = await grant(user, 100, inDays(20));
    const soon = await grant(user, 100, inDays(5));
    const entry = await charge(user, 150);
    expect(entry.allocations).toEqual([
      { grant: soon, amount: 100 },
      { grant: late, amount: 50 },
    ]);
    expect(await remaining(user)).toEqual({ [soon]: 0, [late]: 50, [never]: 100 });
  });

  it('writes off an expired grant’s remainder exactly once, even with two jobs at once', async () => {
    const user = unique('user');
    const old = await grant(user, 100, inDays(1));
    await grant(user, 10, null);
    await charge(user, 30);
    await passExpiry(old);
    const [a, b] = await Promise.all([expireGrants(), expireGrants()]);
    expect(a + b).toBeGreaterThanOrEqual(1);
    expect(await expireGrants()).toBe(0);
    const expiries = await rows<{ amount: string }>(
      app.db,
      `SELECT amount FROM ledger_entries WHERE user_id = $1 AND source = 'expire'`,
      [user],
    );
    expect(expiries.map((e) => Number(e.amount))).toEqual([-70]);
    expect(await account(user)).toMatchObject({
      balance: 10,
      total_expired: 70,
      total_consumed: 30,
    });
  });

  it('expires each of many grants once when two jobs run at the same time', async () => {
    const users = Array.from({ length: 30 }, () => unique('user'));
    const grants = await Promise.all(users.map((u) => grant(u, 7, inDays(1))));
    for (const g of grants) await passExpiry(g);
    const [a, b] = await Promise.all([expireGrants(), expireGrants()]);
    expect(a + b).toBe(30);
    expect(
      await scalar(
        app.db,
        `SELECT count(*) FROM ledger_entries WHERE source = 'expire' AND user_id = ANY($1)`,
        [users],
      ),
    ).toBe(30);
    for (const u of users.slice(0, 3)) expect((await account(u)).balance).toBe(0);
  });

  it('never lets a charge spend credits past their expiry, job or not', async () => {
    const user = unique('user');
    const old = await grant(user, 50, inDays(1));
    await passExpiry(old);
    await charge(user, 20);
    // The charge's transaction wrote the grant off first, so the charge went into overdraft.
    expect(await account(user)).toMatchObject({ balance: -20, total_expired: 50 });
    expect(await expireGrants()).toBe(0);
  });

  it('lets a later income pay back an overdraft first', async () => {
    const user = unique('user');
    await charge(user, 50);
    const income = await grant(user, 80, null);
    expect((await account(user)).balance).toBe(30);
    const [g] = await rows<{ debt_covered: string; remaining: string }>(
      app.db,
      `SELECT debt_covered, remaining FROM grants WHERE event_id = $1`,
      [income],
    );
    expect(g).toEqual({ debt_covered: '50', remaining: '30' });
  });

  it('uses the source’s policy when a grant names no expiry (gift: 180 days by default)', async () => {
    const user = unique('user');
    const g = await grant(user, 5);
    const expiresAt = await scalar(
      app.db,
      `SELECT extract(epoch FROM expires_at - now()) / 86400 FROM grants WHERE event_id = $1`,
      [g],
    );
    expect(Math.round(expiresAt)).toBe(180);
  });

  it('reconciles every account, and reports an account whose balance was tampered with', async () => {
    expect(await reconciliation()).toMatchObject({ ok: true, mismatches: [] });
    const user = unique('user');
    await grant(user, 10, null);
    await app.db.query(`UPDATE accounts SET balance = balance + 1 WHERE user_id = $1`, [user]);
    try {
      const report = await reconciliation();
      expect(report.ok).toBe(false);
      expect(report.mismatches).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            user_id: user,
            check: 'balance_is_sum_of_entries',
            expected: '10',
            actual: '11',
          }),
          expect.objectContaining({ user_id: user, check: 'grants_remaining_is_balance' }),
        ]),
      );
    } finally {
      await app.db.query(`UPDATE accounts SET balance = balance - 1 WHERE user_id = $1`, [user]);
    }
  });
});
