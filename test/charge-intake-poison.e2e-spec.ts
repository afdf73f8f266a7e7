import { DlqHeaders, Topics } from '@tally/contracts';
import { createKafka } from '@tally/platform';
import type { DataSource } from 'typeorm';
import { RunningApp, startCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { connect } from './support/db';
import { call } from './support/http';
import { produce, readTopicUntil } from './support/kafka-helpers';
import { eventually, unique } from './support/wait';

/** The broker's default limit of one record batch (message.max.bytes). */
const BROKER_MAX_BATCH_BYTES = 1_048_588;

/**
 * Messages the ledger cannot apply are dead-lettered whatever their number and size, so the
 * partition's offset moves and the charges behind them are applied.
 */
describe('the charge consumer with messages it can only dead-letter', () => {
  let store: RunningApp;
  let db: DataSource;
  const user = unique('user');
  const flood = Array.from({ length: 2_200 }, () =>
    chargeEvent(user, 5, unique('cap'), { hold_id: unique('missing-hold') }),
  );
  const hugeKey = user;
  let hugeValue = '';
  const after = chargeEvent(user, 7);

  beforeAll(async () => {
    db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
    // All of it on the topic before the consumer starts, so that one fetch brings it all.
    for (let i = 0; i < flood.length; i += 500) await produceCharges(...flood.slice(i, i + 500));
    // Not JSON, and as large as the broker takes: its dead letter, with the headers that say
    // why, is larger than that.
    hugeValue = `{${'z'.repeat(BROKER_MAX_BATCH_BYTES - 200 - hugeKey.length)}`;
    await produce(Topics.chargeRequested, [{ key: hugeKey, value: hugeValue }]);
    await produceCharges(after);
    store = await startCreditStore({
      CREDIT_STORE_BATCH_MAX_BYTES: String(4 * 1024 * 1024),
      JOB_INTERVAL_SECONDS: '0',
    });
  });
  afterAll(async () => {
    await store?.close();
    await db?.destroy();
  });

  /** Messages of the charge topic not yet committed by the ledger's consumer group. */
  const lag = async () => {
    const admin = createKafka(unique('tally-test-admin'), [process.env.KAFKA_BROKERS!]).admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(Topics.chargeRequested);
      const [committed] = await admin.fetchOffsets({
        groupId: 'credit-store',
        topics: [Topics.chargeRequested],
      });
      return ends.reduce((sum, { partition, high }) => {
        const at = committed.partitions.find((p) => p.partition === partition)?.offset ?? '-1';
        return sum + Number(high) - Math.max(Number(at), 0);
      }, 0);
    } finally {
      await admin.disconnect();
    }
  };
  const balance = async (of: string) =>
    (await call<{ balance: number }>('GET', `${store.url}/accounts/${of}`)).body.balance;

  it('dead-letters 2,200 refused captures of one fetch and applies the charge behind them', async () => {
    // The ledger may apply the charge behind them while the batch still fails (it is applied
    // before the dead letters go out): what shows the partition moving is the committed offset.
    await eventually(async () => expect(await lag()).toBe(0), { timeoutMs: 45_000 });
    expect(await balance(user)).toBe(-7);
    const floodIds = new Set(flood.map((event) => event.event_id));
    const letters = await readTopicUntil(
      Topics.chargeRequestedDlq,
      (all) => all.filter((m) => m.key === user).length >= flood.length + 1,
      30_000,
    );
    const refused = letters.filter(
      (m) => m.key === user && m.headers[DlqHeaders.code] !== 'invalid_json',
    );
    const refusedIds = refused.map((m) => (JSON.parse(m.value!) as { event_id: string }).event_id);
    expect(new Set(refusedIds)).toEqual(floodIds);
    expect(refused).toHaveLength(flood.length);
    expect(new Set(refused.map((m) => m.value)).size).toBe(flood.length);
    expect(refused.every((m) => m.headers[DlqHeaders.code] === 'not_found')).toBe(true);
  });

  it('truncates a dead letter too large for the broker, keeping its reason and origin', async () => {
    const letters = await readTopicUntil(Topics.chargeRequestedDlq, (all) =>
      all.some((m) => m.headers[DlqHeaders.code] === 'invalid_json' && m.key === hugeKey),
    );
    const letter = letters.find(
      (m) => m.key === hugeKey && m.headers[DlqHeaders.code] === 'invalid_json',
    )!;
    expect(letter.headers[DlqHeaders.reason]).toContain('not JSON');
    expect(letter.headers[DlqHeaders.sourceTopic]).toBe(Topics.chargeRequested);
    expect(letter.headers[DlqHeaders.sourceOffset]).toMatch(/^\d+$/);
    expect(Number(letter.headers[DlqHeaders.truncated])).toBe(hugeValue.length);
    expect(letter.value!.length).toBeLessThan(hugeValue.length);
    expect(hugeValue.startsWith(letter.value!)).toBe(true);
  });

  it('dead-letters a duplicate key that a retry cannot clear (a free capture’s event_id reused)', async () => {
    const other = unique('user');
    const grant = await call('POST', `${store.url}/accounts/${other}/grants`, {
      body: { event_id: unique('fund'), amount: 100, source: 'gift' },
    });
    expect(grant.status).toBe(201);
    const authorize = async () =>
      (
        await call<{ hold_id: string }>('POST', `${store.url}/holds`, {
          as: 'internal',
          body: { user_id: other, amount: 10 },
        })
      ).body.hold_id;
    const [first, second] = [await authorize(), await authorize()];
    const reused = unique('free');
    const free = chargeEvent(other, 0, reused, {
      hold_id: first,
      pricing: { mode: 'free', usage: { input_tokens: 3 } },
    });
    await produceCharges(free);
    await eventually(async () => {
      const { body } = await call<{ status: string }>('GET', `${store.url}/holds/${first}`, {
        as: 'internal',
      });
      expect(body.status).toBe('captured');
    });
    await produceCharges(chargeEvent(other, 4, reused, { hold_id: second }), chargeEvent(other, 6));

    await eventually(async () => expect(await balance(other)).toBe(94), { timeoutMs: 30_000 });
    const letters = await readTopicUntil(Topics.chargeRequestedDlq, (all) =>
      all.some((m) => m.key === other),
    );
    const letter = letters.find((m) => m.key === other)!;
    const capture = JSON.parse(letter.value!) as { payload: { hold_id: string } };
    expect(capture.payload.hold_id).toBe(second);
    expect(letter.headers[DlqHeaders.code]).toBe('event_id_conflict');
    expect(letter.headers[DlqHeaders.reason]).toMatch(/capture_event_id/);
  });
});
