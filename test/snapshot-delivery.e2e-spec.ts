import { BalanceUpdatedEvent, Topics } from '@tally/contracts';
import type { DataSource } from 'typeorm';
import { BalanceSnapshotRelay } from '../apps/credit-store/src/outbox/balance-snapshot.relay';
import { RunningApp, startCreditStore, startGateway } from './support/apps';
import { connect } from './support/db';
import { call } from './support/http';
import { giftGrant } from './support/ledger-calls';
import { produce, readTopicUntil } from './support/kafka-helpers';
import { createKafka } from '@tally/platform';
import { scrape, total } from './support/metrics';
import { chainRawEntries } from './support/ledger-chain';
import { eventually, unique } from './support/wait';

interface GuardView {
  balance: number | string;
  held: number | string;
  blocked: boolean;
  snapshot_version: number | string;
  spendable: number | string;
}

/** Everything on the topic up to its current end. */
async function readToEnd(topic: string) {
  const admin = createKafka(unique('tally-test'), [process.env.KAFKA_BROKERS!]).admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  return readTopicUntil(topic, (messages) =>
    ends.every(
      ({ partition, high, low }) =>
        high === low ||
        messages.some((m) => m.partition === partition && BigInt(m.offset) >= BigInt(high) - 1n),
    ),
  );
}

/** Beyond 2^53 and odd, so that a trip through a double would show. */
const HUGE_DEBT = -(2n ** 53n) - 9_001_000_000_001n;

describe('credit.balance.updated from the credit-store to the gateway guard', () => {
  let store: RunningApp;
  let gateway: RunningApp;
  let storeDb: DataSource;

  beforeAll(async () => {
    store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
    gateway = await startGateway({ CREDIT_STORE_URL: store.url });
    storeDb = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(async () => {
    await storeDb?.destroy();
    await gateway?.close();
    await store?.close();
  });

  const grant = async (user: string, amount: number, expires_at?: string, on = store) => {
    await giftGrant(on.url, user, amount, expires_at);
  };
  const guardView = async (user: string) =>
    (
      await call<GuardView>('GET', `${gateway.url}/internal/balances/${user}`, {
        as: 'internal',
      })
    ).body;

  it('carries a balance beyond 2^53 exactly, and other users’ snapshots still go out', async () => {
    const debtor = unique('debtor');
    await storeDb.query(
      `INSERT INTO accounts (user_id, balance, total_consumed, version) VALUES ($1, $2, $3, 1)`,
      [debtor, HUGE_DEBT.toString(), (-HUGE_DEBT).toString()],
    );
    // Its history too, so the whole ledger still reconciles for the tests that check it.
    await storeDb.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO ledger_entries (event_id, user_id, source, direction, amount, balance_before,
                                     balance_after, status)
         VALUES ($1, $2, 'chat', 'expense', $3, 0, $3, 'applied')`,
        [unique('debt'), debtor, HUGE_DEBT.toString()],
      );
      await chainRawEntries(tx, [debtor]);
    });
    await storeDb.query(`INSERT INTO balance_outbox (user_id, version) VALUES ($1, 1)`, [debtor]);
    const other = unique('user');
    await grant(other, 100);

    await eventually(async () => expect((await guardView(other)).balance).toBe(100));
    const account = await call('GET', `${store.url}/accounts/${debtor}`);
    expect(account.status).toBe(200);
    expect(account.body).toMatchObject({
      balance: HUGE_DEBT.toString(),
      total_consumed: (-HUGE_DEBT).toString(),
      total_recharged: 0,
      blocked: true,
    });
    await eventually(async () =>
      expect(await guardView(debtor)).toMatchObject({
        balance: HUGE_DEBT.toString(),
        blocked: true,
        snapshot_version: 1,
      }),
    );
  });

  it('reaches the gateway for a user id of 128 characters', async () => {
    const user = unique('long').padEnd(128, 'x');
    expect(user).toHaveLength(128);
    await grant(user, 1000);
    await eventually(async () =>
      expect(await guardView(user)).toMatchObject({ balance: 1000, blocked: false }),
    );
  });

  it('says so (log and metric) when it skips a snapshot it cannot read', async () => {
    const skipped = async () =>
      total(await scrape(gateway.url), 'tally_balance_snapshots_skipped_total') ?? 0;
    const before = await skipped();
    await produce(Topics.balanceUpdated, [{ key: unique('user'), value: '{"not":"a snapshot"}' }]);
    await eventually(async () => expect(await skipped()).toBe(before + 1));
  });

  it('skips a snapshot holding a reserved key or nested without end, as the edge refuses them', async () => {
    const skipped = async () =>
      total(await scrape(gateway.url), 'tally_balance_snapshots_skipped_total') ?? 0;
    const before = await skipped();
    const user = unique('user');
    const snapshot = JSON.stringify({
      event_id: unique('snap'),
      event_type: Topics.balanceUpdated,
      schema_version: 1,
      occurred_at: new Date().toISOString(),
      producer: 'credit-store',
      payload: {
        user_id: user,
        balance: 500,
        held: 0,
        available: 500,
        blocked: false,
        version: 1,
        charge_sequence: 0,
        updated_at: new Date().toISOString(),
      },
    });
    await produce(Topics.balanceUpdated, [
      { key: user, value: snapshot.replace(/^{/, '{"__proto__":{"x":1},') },
      {
        key: user,
        value: snapshot.replace(/}}$/, `},"extra":${'['.repeat(5000)}${']'.repeat(5000)}}`),
      },
    ]);
    await eventually(async () => expect(await skipped()).toBe(before + 2));
    expect((await guardView(user)).balance).not.toBe(500);
  });

  it('stops counting a grant the moment it is due, before the expiry job writes it off', async () => {
    const user = unique('user');
    await grant(user, 50);
    const due = Date.now() + 6000;
    await grant(user, 100, new Date(due).toISOString());
    await eventually(async () => expect((await guardView(user)).balance).toBe(150));
    await new Promise((resolve) => setTimeout(resolve, due + 500 - Date.now()));
    expect(await guardView(user)).toMatchObject({ balance: 50, spendable: 50, blocked: false });
    // The gateway's own reckoning: the credit-store has not written the grant off yet.
    expect((await call('GET', `${store.url}/accounts/${user}`)).body).toMatchObject({
      balance: 150,
    });
  });

  it('never lets an older snapshot replace a newer one at the gateway', async () => {
    const user = unique('user');
    const snapshot = (version: number, balance: number) => ({
      key: user,
      value: JSON.stringify({
        event_id: unique('snap'),
        event_type: Topics.balanceUpdated,
        schema_version: 1,
        occurred_at: new Date().toISOString(),
        producer: 'credit-store',
        payload: {
          user_id: user,
          balance,
          held: 0,
          available: balance,
          blocked: false,
          version,
          charge_sequence: 0,
          updated_at: new Date().toISOString(),
        },
      }),
    });
    await produce(Topics.balanceUpdated, [snapshot(3, 300)]);
    await eventually(async () => expect((await guardView(user)).balance).toBe(300));
    await produce(Topics.balanceUpdated, [snapshot(2, 200), snapshot(1, 100)]);
    await produce(Topics.balanceUpdated, [snapshot(4, 400), snapshot(3, 333)]);
    await eventually(async () => expect((await guardView(user)).balance).toBe(400));
    expect(await guardView(user)).toMatchObject({ balance: 400, snapshot_version: 4 });
  });

  it('publishes a user’s snapshots in version order even with two relays (the last is the newest)', async () => {
    const second = await startCreditStore({
      JOB_INTERVAL_SECONDS: '0',
      BALANCE_RELAY_POLL_MS: '3600000',
    });
    try {
      // The first replica's publishes land late, as over a slow link.
      const relay = store.app.get(BalanceSnapshotRelay);
      const producer = (relay as unknown as { producer: { send(r: unknown): Promise<unknown> } })
        .producer;
      const realSend = producer.send.bind(producer);
      producer.send = async (request: unknown) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return realSend(request);
      };
      try {
        const user = unique('user');
        await grant(user, 10);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await grant(user, 20, undefined, second);
        const received = await readTopicUntil(Topics.balanceUpdated, (messages) => {
          const mine = messages.filter((m) => m.key === user);
          return mine.some(
            (m) => (JSON.parse(m.value!) as BalanceUpdatedEvent).payload.balance === 30,
          );
        });
        // Whatever was still in flight lands too.
        await new Promise((resolve) => setTimeout(resolve, 2500));
        const all = await readToEnd(Topics.balanceUpdated);
        expect(all.length).toBeGreaterThanOrEqual(received.length);
        const versions = all
          .filter((m) => m.key === user)
          .map((m) => Number((JSON.parse(m.value!) as BalanceUpdatedEvent).payload.version));
        expect(versions.at(-1)).toBe(Math.max(...versions));
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
        await eventually(async () => expect((await guardView(user)).balance).toBe(30));
      } finally {
        producer.send = realSend;
      }
    } finally {
      await second.close();
    }
  });
});
