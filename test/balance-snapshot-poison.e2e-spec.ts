import { Topics } from '@tally/contracts';
import { createKafka } from '@tally/platform';
import { ConfigResourceTypes } from 'kafkajs';
import { useCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { rows, scalar } from './support/db';
import { call } from './support/http';
import { readTopicUntil } from './support/kafka-helpers';
import { scrape, total } from './support/metrics';
import { eventually, unique } from './support/wait';

/** Sets the snapshot topic's settings (all of them: the call replaces what is not named). */
async function snapshotTopicConfig(entries: { name: string; value: string }[]): Promise<void> {
  const admin = createKafka(unique('tally-test-admin'), [process.env.KAFKA_BROKERS!]).admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: Topics.balanceUpdated, configEntries: entries },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

const COMPACTED = { name: 'cleanup.policy', value: 'compact' };

/** One user's snapshot that the broker refuses must not stop every other user's snapshots. */
describe('the balance snapshot relay with a snapshot the broker cannot take', () => {
  const app = useCreditStore();

  // 6 KB per batch: every ordinary snapshot fits, one of a 4,000-character user id (key and payload) does not.
  beforeAll(() => snapshotTopicConfig([COMPACTED, { name: 'max.message.bytes', value: '6000' }]));
  afterAll(() => snapshotTopicConfig([COMPACTED]));

  it('parks that snapshot with its reason and publishes the others', async () => {
    const poisonUser = `u${'x'.repeat(4_000)}`;
    await app.db.query(`INSERT INTO accounts (user_id, version) VALUES ($1, 1)`, [poisonUser]);
    await app.db.query(`INSERT INTO balance_outbox (user_id, version) VALUES ($1, 1)`, [
      poisonUser,
    ]);
    const users = Array.from({ length: 10 }, () => unique('user'));
    await produceCharges(...users.map((user) => chargeEvent(user, 3)));

    // Applied first (the snapshots wait for that), then published.
    await eventually(
      async () =>
        expect(
          await scalar(
            app.db,
            `SELECT count(*) FROM accounts WHERE user_id = ANY($1) AND balance = -3`,
            [users],
          ),
        ).toBe(users.length),
      { timeoutMs: 30_000 },
    );
    await eventually(
      async () =>
        expect(
          await scalar(app.db, `SELECT count(*) FROM balance_outbox WHERE user_id = ANY($1)`, [
            users,
          ]),
        ).toBe(0),
      { timeoutMs: 30_000 },
    );
    const snapshots = await readTopicUntil(
      Topics.balanceUpdated,
      (all) => users.every((user) => all.some((m) => m.key === user)),
      30_000,
    );

    for (const user of users) {
      const mine = snapshots.filter((m) => m.key === user);
      // Sent once, or twice when the request that failed for the poison's sake had taken it.
      expect(mine.length).toBeLessThanOrEqual(2);
      const last = JSON.parse(mine[mine.length - 1].value!) as { payload: { balance: unknown } };
      expect(Number(last.payload.balance)).toBe(-3);
    }

    const [poison] = await rows<{ parked_reason: string | null }>(
      app.db,
      `SELECT parked_reason FROM balance_outbox WHERE user_id = $1`,
      [poisonUser],
    );
    expect(poison?.parked_reason).toMatch(/too.large/i);
    expect(total(await scrape(app.store.url), 'tally_balance_snapshots_parked')).toBe(1);
    const { body } = await call<{ rows: { user_id: string; reason: string }[] }>(
      'GET',
      `${app.store.url}/admin/balance-snapshots/parked`,
    );
    expect(body.rows.map((row) => row.user_id)).toEqual([poisonUser]);
    expect(body.rows[0].reason).toMatch(/too.large/i);
  });
});
