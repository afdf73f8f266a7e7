import { Topics } from '@tally/contracts';
import { RunningApp, startCreditStore } from './support/apps';
import { chargeEvent, produceCharges, refundMessage } from './support/charge-events';
import { connect, scalar } from './support/db';
import { call } from './support/http';
import { produce } from './support/kafka-helpers';
import { eventually, unique } from './support/wait';
import type { DataSource } from 'typeorm';

interface Letter {
  id: string;
  code: string;
  reason: string;
  event_id: string | null;
  headers: Record<string, string> | null;
  status: string;
  redrive_of: string | null;
  redrive_count: number;
  again: { id: string; code: string; reason: string } | null;
}

describe('dead letters: filters and redrive', () => {
  let store: RunningApp;
  let db: DataSource;
  beforeAll(async () => {
    // A refund waits 1 s for its charge, then is dead-lettered as refund_of_unknown.
    store = await startCreditStore({
      JOB_INTERVAL_SECONDS: '0',
      REFUND_WAIT_SECONDS: '1',
      REFUND_RETRY_SECONDS: '1',
    });
    db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(async () => {
    await db?.destroy();
    await store?.close();
  });

  const letters = async (query: string) => {
    const res = await call<{ rows: Letter[] }>('GET', `${store.url}/admin/dead-letters?${query}`);
    expect(res.status).toBe(200);
    return res.body.rows;
  };
  const letterOf = async (eventId: string) => {
    let found: Letter | undefined;
    await eventually(
      async () => {
        [found] = await letters(`event_id=${encodeURIComponent(eventId)}`);
        expect(found).toBeDefined();
      },
      { timeoutMs: 30_000 },
    );
    return found!;
  };
  const redrive = (id: string) =>
    call<{ id: string; outcome: string; status_before: string }>(
      'POST',
      `${store.url}/admin/dead-letters/${id}/redrive`,
    );
  const entry = (eventId: string) => call('GET', `${store.url}/ledger/${eventId}`);
  /** A charge behind everything sent so far on the user's partition: once applied, all is read. */
  const drained = async (user: string) => {
    const sentinel = chargeEvent(user, 1);
    await produceCharges(sentinel);
    await eventually(async () => expect((await entry(sentinel.event_id)).status).toBe(200));
  };

  it('redriven twice once its cause is fixed: applied once', async () => {
    const user = unique('redrive');
    await call('POST', `${store.url}/accounts/${user}/grants`, {
      body: { event_id: unique('grant'), amount: 100, source: 'gift' },
    });
    const charge = chargeEvent(user, 30);
    const refundId = unique('late-refund');
    // The refund comes first and its charge only after the wait: dead-lettered.
    await produce(Topics.chargeRequested, [refundMessage(user, charge.event_id, 30, refundId)]);
    const letter = await letterOf(refundId);
    expect(letter).toMatchObject({ code: 'refund_of_unknown', status: 'open', redrive_count: 0 });
    expect(letter.headers).toMatchObject({ event_type: 'credit.refund.requested' });
    await produceCharges(charge);
    await eventually(async () => expect((await entry(charge.event_id)).status).toBe(200));

    const first = await redrive(letter.id);
    const second = await redrive(letter.id);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: letter.id, outcome: 'sent', status_before: 'open' });
    expect(second.body.outcome).toMatch(/^(sent|already_applied)$/);
    await eventually(async () => expect((await letterOf(refundId)).status).toBe('applied'));
    await drained(user);
    expect(
      await scalar(
        db,
        `SELECT count(*) FROM ledger_entries WHERE user_id = $1 AND source = 'refund'`,
        [user],
      ),
    ).toBe(1);
    const account = await call('GET', `${store.url}/accounts/${user}`);
    expect(account.body).toMatchObject({ balance: 100 - 30 + 30 - 1, total_refunded: 30 });
    // Applied: a third redrive sends nothing.
    expect((await redrive(letter.id)).body).toMatchObject({
      outcome: 'already_applied',
      status_before: 'applied',
    });
  });

  it('redriven while still invalid: dead-lettered again with its reason, nothing written', async () => {
    const user = unique('still-bad');
    const bad = chargeEvent(user, 5);
    (bad.payload as { amount: number }).amount = -5;
    await produce(Topics.chargeRequested, [{ key: user, value: JSON.stringify(bad) }]);
    const letter = await letterOf(bad.event_id);
    expect(letter.code).toBe('validation_failed');

    const many = await call<{ results: { id: string; outcome: string }[] }>(
      'POST',
      `${store.url}/admin/dead-letters/redrive`,
      { body: { ids: [letter.id] } },
    );
    expect(many.status).toBe(200);
    expect(many.body.results).toEqual([{ id: letter.id, outcome: 'sent', status_before: 'open' }]);
    let after: Letter | undefined;
    await eventually(
      async () => {
        [after] = (await letters(`event_id=${bad.event_id}`)).filter((l) => l.id === letter.id);
        expect(after.status).toBe('dead_lettered_again');
      },
      { timeoutMs: 30_000 },
    );
    expect(after!.again).toMatchObject({ code: 'validation_failed' });
    expect(after!.again!.reason).toContain('amount');
    const [again] = await letters(`after=${letter.id}&event_id=${bad.event_id}`);
    expect(again).toMatchObject({ id: after!.again!.id, redrive_of: letter.id });
    expect((await entry(bad.event_id)).status).toBe(404);
    expect(await scalar(db, `SELECT count(*) FROM accounts WHERE user_id = $1`, [user])).toBe(0);

    // Filters: by code and status.
    const filtered = await letters(`code=validation_failed&status=dead_lettered_again`);
    expect(filtered.map((l) => l.id)).toContain(letter.id);
    expect(filtered.every((l) => l.code === 'validation_failed')).toBe(true);
    expect((await letters(`status=applied`)).map((l) => l.id)).not.toContain(letter.id);
  });

  it('answers bad requests with a 4xx naming the field', async () => {
    const status = await call('GET', `${store.url}/admin/dead-letters?status=lost`);
    expect(status.status).toBe(400);
    expect(JSON.stringify(status.body)).toContain('status');
    const nul = await call('GET', `${store.url}/admin/dead-letters?event_id=a%00b`);
    expect(nul.status).toBe(400);
    expect(JSON.stringify(nul.body)).toContain('event_id');
    const id = await redrive('abc');
    expect(id.status).toBe(400);
    expect(JSON.stringify(id.body)).toContain('id');
    expect((await redrive('999999999999')).status).toBe(404);
    const empty = await call('POST', `${store.url}/admin/dead-letters/redrive`, {
      body: { ids: [] },
    });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('ids');
  });
});
