import { DlqHeaders, Topics } from '@tally/contracts';
import type { DataSource } from 'typeorm';
import { RunningApp, startCreditStore } from './support/apps';
import { chargeEvent, produceCharges, refundMessage } from './support/charge-events';
import { connect, rows } from './support/db';
import { call } from './support/http';
import { produce, readTopicUntil } from './support/kafka-helpers';
import { scrape, total } from './support/metrics';
import { eventually, unique } from './support/wait';

describe('a refund that reaches the ledger before its charge', () => {
  let store: RunningApp;
  let db: DataSource;
  beforeAll(async () => {
    store = await startCreditStore({
      JOB_INTERVAL_SECONDS: '0',
      REFUND_WAIT_SECONDS: '4',
      REFUND_RETRY_SECONDS: '1',
    });
    db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(async () => {
    await db?.query(`DROP TRIGGER IF EXISTS refuse_poison ON ledger_entries`);
    await db?.query(`DROP FUNCTION IF EXISTS refuse_poison()`);
    await db?.destroy();
    await store?.close();
  });

  const grant = (user: string, amount: number) =>
    call('POST', `${store.url}/accounts/${user}/grants`, {
      body: { event_id: unique('grant'), amount, source: 'gift' },
    });
  const entry = (eventId: string) => call('GET', `${store.url}/ledger/${eventId}`);
  const waiting = async (outcome: string) =>
    total(await scrape(store.url), 'tally_refunds_waiting_total', { outcome }) ?? 0;

  it('waits for its charge, then is applied (not dead-lettered)', async () => {
    const user = unique('user');
    await grant(user, 100);
    const charge = chargeEvent(user, 30);
    const refund = refundMessage(user, charge.event_id, 30);
    const refundId = (JSON.parse(refund.value) as { event_id: string }).event_id;
    const parkedBefore = await waiting('parked');
    await produce(Topics.chargeRequested, [refund]);
    await eventually(async () => expect(await waiting('parked')).toBe(parkedBefore + 1));
    expect((await entry(refundId)).status).toBe(404);

    await produceCharges(charge);
    await eventually(async () => expect((await entry(refundId)).status).toBe(200));
    const account = await call('GET', `${store.url}/accounts/${user}`);
    expect(account.body).toMatchObject({ balance: 100, total_refunded: 30 });
  });

  it('does not hold up its partition, and is dead-lettered as refund_of_unknown when its charge never comes', async () => {
    const user = unique('user');
    await grant(user, 100);
    const refund = refundMessage(user, unique('never-charged'), 5);
    const refundId = (JSON.parse(refund.value) as { event_id: string }).event_id;
    const behind = chargeEvent(user, 10);
    const sentAt = Date.now();
    await produce(Topics.chargeRequested, [refund]);
    await produceCharges(behind);
    // The charge behind it is applied at once, well before the refund's wait (4 s) is over.
    await eventually(async () => expect((await entry(behind.event_id)).status).toBe(200));
    expect(Date.now() - sentAt).toBeLessThan(4_000);

    const letters = await readTopicUntil(
      Topics.chargeRequestedDlq,
      (received) => received.some((m) => m.value?.includes(refundId)),
      30_000,
    );
    const letter = letters.find((m) => m.value?.includes(refundId))!;
    expect(letter.headers[DlqHeaders.code]).toBe('refund_of_unknown');
    expect(letter.headers[DlqHeaders.reason]).toContain('did not reach the ledger within 4 s');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(4_000);
    expect((await entry(refundId)).status).toBe(404);
  });

  it('applies the waiting refunds one by one when their batch fails on one: the others and the overdue ones go on', async () => {
    // A refund the database refuses for good, as a permanent data error would (SQLSTATE 22023).
    await db.query(`CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'poisoned refund %', NEW.event_id USING ERRCODE = '22023'; END $$`);
    await db.query(`CREATE OR REPLACE TRIGGER refuse_poison BEFORE INSERT ON ledger_entries
      FOR EACH ROW WHEN (NEW.event_id LIKE 'poison-%') EXECUTE FUNCTION refuse_poison()`);
    const user = unique('user');
    await grant(user, 100);
    const poisonCharge = chargeEvent(user, 20);
    const goodCharge = chargeEvent(user, 30);
    const poison = refundMessage(user, poisonCharge.event_id, 20, unique('poison'));
    const good = refundMessage(user, goodCharge.event_id, 30);
    const overdue = refundMessage(user, unique('never-charged'), 5);
    const [poisonId, goodId, overdueId] = [poison, good, overdue].map(
      (m) => (JSON.parse(m.value) as { event_id: string }).event_id,
    );
    const parkedBefore = await waiting('parked');
    await produce(Topics.chargeRequested, [poison, good, overdue]);
    await eventually(async () => expect(await waiting('parked')).toBe(parkedBefore + 3));

    await produceCharges(poisonCharge);
    await eventually(async () => expect((await entry(poisonCharge.event_id)).status).toBe(200));
    await produceCharges(goodCharge);
    await eventually(async () => expect((await entry(goodId)).status).toBe(200), {
      timeoutMs: 15_000,
    });
    const letters = await eventually(
      async () => {
        const found = await rows<{ event_id: string; code: string }>(
          db,
          `SELECT event_id, code FROM dead_letters WHERE event_id = ANY($1::text[])
            ORDER BY event_id`,
          [[poisonId, overdueId]],
        );
        expect(found).toHaveLength(2);
        return found;
      },
      { timeoutMs: 15_000 },
    );
    expect(Object.fromEntries(letters.map((l) => [l.event_id, l.code]))).toEqual({
      [poisonId]: 'validation_failed',
      [overdueId]: 'refund_of_unknown',
    });
    expect((await entry(poisonId)).status).toBe(404);
    const [{ n }] = await rows<{ n: string }>(db, `SELECT count(*) AS n FROM waiting_refunds`);
    expect(Number(n)).toBe(0);
    const account = await call('GET', `${store.url}/accounts/${user}`);
    expect(account.body).toMatchObject({ balance: 80, total_refunded: 30 });
  });
});
