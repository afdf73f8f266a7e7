import { DlqHeaders, Topics } from '@tally/contracts';
import { RunningApp, startCreditStore } from './support/apps';
import { chargeEvent, produceCharges, refundMessage } from './support/charge-events';
import { call } from './support/http';
import { produce, readTopicUntil } from './support/kafka-helpers';
import { scrape, total } from './support/metrics';
import { eventually, unique } from './support/wait';

describe('a refund that reaches the ledger before its charge', () => {
  let store: RunningApp;
  beforeAll(async () => {
    store = await startCreditStore({
      JOB_INTERVAL_SECONDS: '0',
      REFUND_WAIT_SECONDS: '4',
      REFUND_RETRY_SECONDS: '1',
    });
  });
  afterAll(() => store?.close());

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
});
