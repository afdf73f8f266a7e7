import { DlqHeaders, Topics } from '@tally/contracts';
import { useCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { scalar } from './support/db';
import { call } from './support/http';
import { readTopicUntil } from './support/kafka-helpers';
import { eventually, unique } from './support/wait';

interface HoldBody {
  hold_id: string;
  user_id: string;
  amount: number;
  status: string;
  expires_at: string;
  captured_amount: number | null;
  capture_event_id: string | null;
}

describe('holds (two-phase): authorize, capture by a charge, void, expire', () => {
  const app = useCreditStore();

  const fund = async (user: string, amount: number) => {
    const answer = await call('POST', `${app.store.url}/accounts/${user}/grants`, {
      body: { event_id: unique('fund'), amount, source: 'gift' },
    });
    expect(answer.status).toBe(201);
  };
  const authorize = (body: Record<string, unknown>) =>
    call<HoldBody & { code?: string }>('POST', `${app.store.url}/holds`, { as: 'internal', body });
  const hold = async (id: string) =>
    (await call<HoldBody>('GET', `${app.store.url}/holds/${id}`, { as: 'internal' })).body;
  const voidHold = (id: string) =>
    call<HoldBody & { code?: string }>('POST', `${app.store.url}/holds/${id}/void`, {
      as: 'internal',
    });
  const balance = async (user: string) =>
    (await call<{ balance: number }>('GET', `${app.store.url}/accounts/${user}`)).body.balance;
  const entry = (eventId: string) => call('GET', `${app.store.url}/ledger/${eventId}`);
  const expireNow = (holdId: string) =>
    app.db.query(`UPDATE holds SET expires_at = now() - interval '1 second' WHERE hold_id = $1`, [
      holdId,
    ]);
  const deadLetterCode = async (eventId: string) => {
    const received = await readTopicUntil(Topics.chargeRequestedDlq, (messages) =>
      messages.some((m) => m.value?.includes(eventId)),
    );
    return received.find((m) => m.value?.includes(eventId))!.headers[DlqHeaders.code];
  };

  it('reserves without spending, and refuses (402) what balance minus open holds cannot cover', async () => {
    const user = unique('user');
    await fund(user, 100);
    const first = await authorize({ user_id: user, amount: 70 });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ user_id: user, amount: 70, status: 'open' });
    expect(await balance(user)).toBe(100);

    const refused = await authorize({ user_id: user, amount: 31 });
    expect(refused.status).toBe(402);
    expect(refused.body.code).toBe('insufficient_credits');
    expect((await authorize({ user_id: user, amount: 30 })).status).toBe(201);
    expect(await scalar(app.db, `SELECT count(*) FROM holds WHERE user_id = $1`, [user])).toBe(2);
  });

  it('leaves an id that never had an entry without updated_at after a refused hold', async () => {
    // The refusal commits the account row the hold locked; the id still never had an entry, and
    // updated_at: null is what tells it apart from an account that was emptied (SPEC §4).
    const user = unique('stranger');
    expect((await authorize({ user_id: user, amount: 5 })).status).toBe(402);
    expect(await scalar(app.db, `SELECT count(*) FROM accounts WHERE user_id = $1`, [user])).toBe(
      1,
    );
    const account = await call('GET', `${app.store.url}/accounts/${user}`);
    expect(account.body).toMatchObject({
      user_id: user,
      balance: 0,
      blocked: true,
      updated_at: null,
    });

    await fund(user, 10);
    const funded = await call<{ updated_at: string | null }>(
      'GET',
      `${app.store.url}/accounts/${user}`,
    );
    expect(funded.body.updated_at).toEqual(expect.any(String));
  });

  it('never reserves credits of a grant that is due but not yet written off', async () => {
    const user = unique('user');
    await fund(user, 30);
    const due = unique('due');
    const granted = await call('POST', `${app.store.url}/accounts/${user}/grants`, {
      body: { event_id: due, amount: 100, source: 'gift', expires_at: '2099-01-01T00:00:00Z' },
    });
    expect(granted.status).toBe(201);
    await app.db.query(
      `UPDATE grants SET expires_at = now() - interval '1 second' WHERE event_id = $1`,
      [due],
    );

    const refused = await authorize({ user_id: user, amount: 31 });
    expect(refused.status).toBe(402);
    expect((await authorize({ user_id: user, amount: 30 })).status).toBe(201);
    // Written off by the hold's own transaction, as a charge would, without the job.
    expect(await balance(user)).toBe(30);
  });

  it('never reserves more than the balance under 200 parallel authorizations', async () => {
    const user = unique('user');
    await fund(user, 1005);
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => authorize({ user_id: user, amount: 10 })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(100);
    expect(statuses.filter((s) => s === 402)).toHaveLength(100);
    expect(
      await scalar(app.db, `SELECT sum(amount) FROM holds WHERE user_id = $1 AND status = 'open'`, [
        user,
      ]),
    ).toBe(1000);
  });

  it('answers a repeated hold_id with the same hold, and refuses it for another amount', async () => {
    const user = unique('user');
    await fund(user, 100);
    const holdId = unique('hold');
    const first = await authorize({ hold_id: holdId, user_id: user, amount: 40 });
    const again = await authorize({ hold_id: holdId, user_id: user, amount: 40 });
    expect(again.body).toEqual(first.body);
    const other = await authorize({ hold_id: holdId, user_id: user, amount: 41 });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('already_exists');
    expect(await scalar(app.db, `SELECT count(*) FROM holds WHERE user_id = $1`, [user])).toBe(1);
  });

  it('captures with a smaller actual amount (the rest is released) and a larger one (post-paid)', async () => {
    const user = unique('user');
    await fund(user, 100);
    const small = (await authorize({ user_id: user, amount: 60 })).body.hold_id;
    const smaller = chargeEvent(user, 45, unique('cap'), { hold_id: small });
    await produceCharges(smaller);
    await eventually(async () => expect((await hold(small)).status).toBe('captured'));
    expect(await hold(small)).toMatchObject({
      captured_amount: 45,
      capture_event_id: smaller.event_id,
    });
    expect(await balance(user)).toBe(55);
    // Nothing is held any more: the whole balance can be reserved again.
    const large = (await authorize({ user_id: user, amount: 55 })).body.hold_id;
    await produceCharges(chargeEvent(user, 80, unique('cap'), { hold_id: large }));
    await eventually(async () => expect(await balance(user)).toBe(-25));
  });

  it('dead-letters a second capture of a hold (hold_not_open) and charges once', async () => {
    const user = unique('user');
    await fund(user, 100);
    const holdId = (await authorize({ user_id: user, amount: 30 })).body.hold_id;
    const first = chargeEvent(user, 30, unique('cap'), { hold_id: holdId });
    const second = chargeEvent(user, 30, unique('cap'), { hold_id: holdId });
    await produceCharges(first, second);
    expect(await deadLetterCode(second.event_id)).toBe('hold_not_open');
    expect((await entry(first.event_id)).status).toBe(200);
    expect((await entry(second.event_id)).status).toBe(404);
    expect(await balance(user)).toBe(70);
  });

  it('dead-letters the capture of a voided hold; voiding again answers the same', async () => {
    const user = unique('user');
    await fund(user, 100);
    const holdId = (await authorize({ user_id: user, amount: 30 })).body.hold_id;
    const voided = await voidHold(holdId);
    expect(voided.status).toBe(200);
    expect(voided.body.status).toBe('voided');
    expect((await voidHold(holdId)).body).toEqual(voided.body);
    const late = chargeEvent(user, 30, unique('cap'), { hold_id: holdId });
    await produceCharges(late);
    expect(await deadLetterCode(late.event_id)).toBe('hold_not_open');
    expect(await balance(user)).toBe(100);
  });

  it('refuses to void a captured hold (409 hold_not_open); an unknown hold is 404', async () => {
    const user = unique('user');
    await fund(user, 100);
    const holdId = (await authorize({ user_id: user, amount: 10 })).body.hold_id;
    await produceCharges(chargeEvent(user, 10, unique('cap'), { hold_id: holdId }));
    await eventually(async () => expect((await hold(holdId)).status).toBe('captured'));
    const refused = await voidHold(holdId);
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('hold_not_open');
    expect((await voidHold(unique('nope'))).status).toBe(404);
  });

  it('expires holds past their TTL once (job run twice), and still charges a late capture post-paid', async () => {
    const user = unique('user');
    await fund(user, 50);
    const holdId = (await authorize({ user_id: user, amount: 50 })).body.hold_id;
    expect((await authorize({ user_id: user, amount: 1 })).status).toBe(402);
    await expireNow(holdId);
    const run = async () =>
      (await call<{ expired: number }>('POST', `${app.store.url}/admin/jobs/expire-holds`)).body;
    const [a, b] = await Promise.all([run(), run()]);
    expect(a.expired + b.expired).toBeGreaterThanOrEqual(1);
    expect((await hold(holdId)).status).toBe('expired');
    expect((await run()).expired).toBe(0);
    // Released: the credits can be reserved again.
    expect((await authorize({ user_id: user, amount: 50 })).status).toBe(201);
    // The work behind the expired hold was done after all: its capture is charged.
    await produceCharges(chargeEvent(user, 20, unique('cap'), { hold_id: holdId }));
    await eventually(async () => expect((await hold(holdId)).status).toBe('captured'));
    expect(await balance(user)).toBe(30);
  });

  it.each([
    ['amount 0', { amount: 0 }, 'amount'],
    ['a fractional amount', { amount: 1.5 }, 'amount'],
    ['no user_id', { user_id: undefined }, 'user_id'],
    ['a ttl beyond a week', { ttl_seconds: 8 * 86400 }, 'ttl_seconds'],
    ['a malformed hold_id', { hold_id: 'bad id!' }, 'hold_id'],
    ['an unknown field', { amout: 3 }, 'amout'],
  ])('refuses %s with 400 validation_failed and writes nothing', async (_, change, field) => {
    const user = unique('user');
    await fund(user, 100);
    const answer = await authorize({ user_id: user, amount: 5, ...change });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_failed');
    expect(JSON.stringify(answer.body)).toContain(field);
    expect(await scalar(app.db, `SELECT count(*) FROM holds WHERE user_id = $1`, [user])).toBe(0);
  });

  it('needs a service or admin token', async () => {
    const answer = await call('POST', `${app.store.url}/holds`, {
      as: 'none',
      body: { user_id: 'u', amount: 1 },
    });
    expect(answer.status).toBe(401);
  });
});
