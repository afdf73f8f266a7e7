import { useCreditStore } from './support/apps';
import { scalar } from './support/db';
import { chainRawEntries } from './support/ledger-chain';
import { call } from './support/http';
import { unique } from './support/wait';

interface RewardRule {
  id: number;
  source: string;
  max_per_user_per_day: number | null;
  max_per_user: number | null;
}
interface Answer {
  id?: number;
  amount?: number;
  code?: string;
  message?: string;
}

describe('reward rules limit what the service token can credit', () => {
  const app = useCreditStore();
  const rules = () => `${app.store.url}/admin/reward-rules`;

  const createRule = async (limits: Record<string, unknown>) => {
    const answer = await call<RewardRule>('POST', rules(), {
      body: { source: unique('like'), name: 'A like', amount: 500, ...limits },
    });
    expect(answer.status).toBe(201);
    return answer.body;
  };
  const reward = (source: string, user: string, event_id = unique('ev')) =>
    call<Answer>('POST', `${app.store.url}/rewards`, {
      as: 'internal',
      body: { event_id, user_id: user, source },
    });
  const balance = (user: string) =>
    scalar(app.db, `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE user_id = $1`, [
      user,
    ]);
  /**
   * A reward of yesterday, written as the ledger would have (the day is not ours to move): its
   * entry, its grant and the account's totals, chained, so that the run's reconciliation holds.
   */
  const rewardedYesterday = async (user: string, source: string) => {
    await app.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO accounts (user_id) VALUES ($1) ON CONFLICT DO NOTHING`, [user]);
      const eventId = unique('yesterday');
      await tx.query(
        `WITH account AS (
           UPDATE accounts SET balance = balance + 500, total_rewarded = total_rewarded + 500
            WHERE user_id = $1 RETURNING balance)
         INSERT INTO ledger_entries (event_id, user_id, source, direction, amount, balance_before,
           balance_after, status, source_ref_id, created_at)
         SELECT $2, $1, 'reward', 'income', 500, balance - 500, balance, 'applied', $3,
                now() - interval '1 day'
           FROM account`,
        [user, eventId, source],
      );
      await tx.query(
        `INSERT INTO grants (event_id, user_id, source, amount, debt_covered, remaining, expires_at,
                             value_cent, currency)
         VALUES ($1, $2, 'reward', 500, 0, 500, now() + interval '180 days', 0, NULL)`,
        [eventId, user],
      );
      await chainRawEntries(tx, [user]);
    });
  };
  const reconciledAlone = async (user: string) => {
    const whole = await call<{ mismatches: { user_id: string }[] }>(
      'GET',
      `${app.store.url}/finance/reconciliation`,
    );
    expect(whole.body.mismatches.filter((m) => m.user_id === user)).toEqual([]);
  };
  const times = (n: number, status: number): number[] => Array.from({ length: n }, () => status);
  const statuses = (answers: { status: number }[]) =>
    answers.map((a) => a.status).sort((a, b) => a - b);

  it('credits at most max_per_user_per_day of 20 concurrent rewards; a replay still answers its entry', async () => {
    const rule = await createRule({ max_per_user_per_day: 3, max_per_user: null });
    const user = unique('user');
    const ids = Array.from({ length: 20 }, () => unique('ev'));
    const answers = await Promise.all(ids.map((id) => reward(rule.source, user, id)));

    expect(statuses(answers)).toEqual([...times(3, 201), ...times(17, 409)]);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.body.code).toBe('reward_limit_reached');
    }
    expect(await balance(user)).toBe(1500);

    // Every credited event_id replayed at once: each answers its first entry, none is refused.
    const credited = ids.filter((_, i) => answers[i].status === 201);
    const replays = await Promise.all(credited.map((id) => reward(rule.source, user, id)));
    expect(replays.map((r) => r.status)).toEqual([201, 201, 201]);
    expect(replays.map((r) => r.body.id)).toEqual(
      credited.map((id) => answers[ids.indexOf(id)].body.id),
    );
    // Another user has a limit of their own.
    expect((await reward(rule.source, unique('user'))).status).toBe(201);
    expect(await balance(user)).toBe(1500);
  });

  it('credits at most max_per_user in total, across days', async () => {
    const rule = await createRule({ max_per_user_per_day: null, max_per_user: 4 });
    const user = unique('user');
    // A reward of this rule yesterday counts in the total, not in today's count.
    await rewardedYesterday(user, rule.source);
    const answers = await Promise.all(Array.from({ length: 20 }, () => reward(rule.source, user)));
    expect(statuses(answers)).toEqual([...times(3, 201), ...times(17, 409)]);
    expect(await balance(user)).toBe(2000);

    const daily = await createRule({ max_per_user_per_day: 2, max_per_user: 10 });
    await rewardedYesterday(user, daily.source);
    const today = await Promise.all(Array.from({ length: 5 }, () => reward(daily.source, user)));
    expect(statuses(today)).toEqual([201, 201, 409, 409, 409]);
    await reconciledAlone(user);
  });

  it('gives a rule created without limits one reward per user a day; null is no limit', async () => {
    const byDefault = await createRule({});
    expect(byDefault).toMatchObject({ max_per_user_per_day: 1, max_per_user: null });
    const user = unique('user');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => reward(byDefault.source, user)),
    );
    expect(statuses(answers)).toEqual([201, ...times(19, 409)]);

    const unlimited = await createRule({ max_per_user_per_day: null, max_per_user: null });
    expect(unlimited).toMatchObject({ max_per_user_per_day: null, max_per_user: null });
    const all = await Promise.all(Array.from({ length: 5 }, () => reward(unlimited.source, user)));
    expect(statuses(all)).toEqual([201, 201, 201, 201, 201]);
  });

  it('changes the limits with PATCH (null removes one)', async () => {
    const rule = await createRule({ max_per_user_per_day: 1, max_per_user: 2 });
    const user = unique('user');
    expect((await reward(rule.source, user)).status).toBe(201);
    expect((await reward(rule.source, user)).status).toBe(409);

    const raised = await call<RewardRule>('PATCH', `${rules()}/${rule.id}`, {
      body: { max_per_user_per_day: 5 },
    });
    expect(raised.body).toMatchObject({ max_per_user_per_day: 5, max_per_user: 2 });
    expect((await reward(rule.source, user)).status).toBe(201);
    const total = await reward(rule.source, user);
    expect(total).toMatchObject({ status: 409, body: { code: 'reward_limit_reached' } });
    expect(total.body.message).toContain('max_per_user');

    const removed = await call<RewardRule>('PATCH', `${rules()}/${rule.id}`, {
      body: { max_per_user: null },
    });
    expect(removed.body).toMatchObject({ max_per_user_per_day: 5, max_per_user: null });
    expect((await reward(rule.source, user)).status).toBe(201);
  });

  it.each([
    ['max_per_user_per_day', 0],
    ['max_per_user_per_day', -1],
    ['max_per_user_per_day', 1.5],
    ['max_per_user_per_day', '3'],
    ['max_per_user', 0],
    ['max_per_user', -2],
    ['max_per_user', 2.5],
    ['max_per_user', true],
  ])('refuses %s = %j with a 400 naming it, on create and on PATCH', async (field, value) => {
    const before = await scalar(app.db, `SELECT count(*) FROM reward_rules`);
    const created = await call<{ message: string }>('POST', rules(), {
      body: { source: unique('src'), name: 'n', amount: 1, [field]: value },
    });
    expect(created.status).toBe(400);
    expect(JSON.stringify(created.body)).toContain(field);
    expect(await scalar(app.db, `SELECT count(*) FROM reward_rules`)).toBe(before);

    const rule = await createRule({});
    const patched = await call('PATCH', `${rules()}/${rule.id}`, { body: { [field]: value } });
    expect(patched.status).toBe(400);
    expect(JSON.stringify(patched.body)).toContain(field);
  });
});
