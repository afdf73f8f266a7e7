import { Topics } from '@tally/contracts';
import { createKafka } from '@tally/platform';
import type { DataSource } from 'typeorm';
import { startCreditStore, useCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { connect, rows, scalar } from './support/db';
import { TEST_TOKENS } from './support/test-env';
import { freePort, spawnApp } from './support/spawn-app';
import { eventually, unique } from './support/wait';

describe('SIGTERM during load: the gateway', () => {
  const fixture = useCreditStore();
  let gatewayDb: DataSource;

  beforeAll(async () => {
    gatewayDb = await connect(process.env.GATEWAY_DATABASE_URL);
  });
  afterAll(async () => {
    await gatewayDb?.destroy();
  });

  it('the gateway answers what it took in, relays it, exits 0, and the ledger gets every 202', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const gateway = spawnApp('ai-gateway', {
      GATEWAY_PORT: String(port),
      CREDIT_STORE_URL: fixture.store.url,
      LOG_LEVELS: 'error,warn,log',
      // One row per relay cycle: under this load a backlog builds up, which the shutdown must
      // publish before it exits (rather than leave it for the next start).
      OUTBOX_BATCH_SIZE: '1',
    });
    try {
      await eventually(async () => expect((await fetch(`${url}/health/ready`)).status).toBe(200), {
        timeoutMs: 30_000,
      });

      const users = Array.from({ length: 4 }, () => unique('user'));
      const accepted: string[] = [];
      const otherAnswers: number[] = [];
      let refused = 0;
      let signalled = false;
      // Eight clients, each sending charges one after another until the gateway stops answering.
      const client = async (n: number) => {
        for (let i = 0; ; i++) {
          const event_id = unique(`shutdown-${n}-${i}`);
          try {
            const response = await fetch(`${url}/internal/charges`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${TEST_TOKENS.internal}`,
                'content-type': 'application/json',
              },
              body: JSON.stringify({ event_id, user_id: users[i % 4], amount: 1, source: 'tts' }),
            });
            await response.text();
            if (response.status === 202) accepted.push(event_id);
            else otherAnswers.push(response.status);
          } catch {
            // Refused or cut before an answer: the client does not know, as with any network error.
            refused++;
            if (signalled) return;
          }
        }
      };
      const clients = Array.from({ length: 8 }, (_, n) => client(n));
      await eventually(() => expect(accepted.length).toBeGreaterThanOrEqual(150), {
        timeoutMs: 30_000,
        intervalMs: 20,
      });
      const acceptedBeforeSignal = accepted.length;
      const backlogAtSignal = await scalar(
        gatewayDb,
        `SELECT count(*) FROM outbox WHERE event_id = ANY($1) AND published_at IS NULL`,
        [accepted],
      );
      signalled = true;
      gateway.child.kill('SIGTERM');
      const exited = await gateway.exited;
      await Promise.all(clients);

      expect({ code: exited.code, signal: exited.signal }).toEqual({ code: 0, signal: null });
      expect(exited.output).toContain('SIGTERM: no new requests');
      expect(exited.output).toContain('stopped');
      // Requests in flight at the signal were answered, not failed.
      expect(otherAnswers).toEqual([]);
      expect(accepted.length).toBeGreaterThanOrEqual(acceptedBeforeSignal);
      expect(refused).toBeGreaterThan(0);
      expect(backlogAtSignal).toBeGreaterThan(0);

      // The relay published everything committed before the process exited...
      expect(
        await scalar(
          gatewayDb,
          `SELECT count(*) FROM outbox WHERE event_id = ANY($1) AND published_at IS NULL`,
          [accepted],
        ),
      ).toBe(0);
      // ...and with the gateway gone, every accepted charge reaches the ledger exactly once.
      await eventually(
        async () =>
          expect(
            await scalar(
              fixture.db,
              `SELECT count(*) FROM ledger_entries WHERE event_id = ANY($1)`,
              [accepted],
            ),
          ).toBe(accepted.length),
        { timeoutMs: 45_000 },
      );
    } finally {
      if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    }
  });
});

describe('SIGTERM during load: the credit-store', () => {
  let db: DataSource;

  beforeAll(async () => {
    db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('finishes its batch, commits the offsets of all it applied, answers its requests, exits 0', async () => {
    const admin = createKafka(unique('shutdown-check'), [process.env.KAFKA_BROKERS!]).admin();
    await admin.connect();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    // Where the topic ends before this test's events: everything after is theirs.
    const start = await admin.fetchTopicOffsets(Topics.chargeRequested);
    const store = spawnApp('credit-store', {
      CREDIT_STORE_PORT: String(port),
      JOB_INTERVAL_SECONDS: '0',
      LOG_LEVELS: 'error,warn,log',
      // Small batches on one partition at a time: the store is still at work when the signal comes.
      CREDIT_STORE_CONSUMER_CONCURRENCY: '1',
      CREDIT_STORE_BATCH_MAX_BYTES: '16384',
    });
    try {
      await eventually(async () => expect((await fetch(`${url}/health/ready`)).status).toBe(200), {
        timeoutMs: 30_000,
      });
      const users = Array.from({ length: 20 }, () => unique('user'));
      const events = Array.from({ length: 12_000 }, (_, i) => chargeEvent(users[i % 20], 1));
      const ids = events.map((e) => e.event_id);
      for (let i = 0; i < events.length; i += 1000) {
        await produceCharges(...events.slice(i, i + 1000));
      }
      const applied = () =>
        scalar(db, `SELECT count(*) FROM ledger_entries WHERE event_id = ANY($1)`, [ids]);

      // Four admin readers, one request after another, until the store stops answering.
      let signalled = false;
      const answers: number[] = [];
      const reader = async (n: number) => {
        for (let i = n; ; i++) {
          try {
            const response = await fetch(`${url}/accounts/${users[i % 20]}`, {
              headers: { authorization: `Bearer ${TEST_TOKENS.admin}` },
            });
            await response.text();
            answers.push(response.status);
          } catch {
            if (signalled) return;
          }
        }
      };
      const readers = Array.from({ length: 4 }, (_, n) => reader(n));
      await eventually(async () => expect(await applied()).toBeGreaterThanOrEqual(600), {
        timeoutMs: 30_000,
        intervalMs: 20,
      });
      signalled = true;
      store.child.kill('SIGTERM');
      const exited = await store.exited;
      await Promise.all(readers);

      expect({ code: exited.code, signal: exited.signal }).toEqual({ code: 0, signal: null });
      expect(exited.output).toContain('SIGTERM: no new requests');
      expect(exited.output).toContain('stopped');
      // Requests in flight were answered (an account not charged yet is a 404), none failed.
      expect(answers.length).toBeGreaterThan(0);
      expect(answers.filter((status) => status !== 200 && status !== 404)).toEqual([]);

      // It stopped part way: the offsets it committed cover exactly what it applied, no more, no
      // less (an unclean stop leaves applied messages uncommitted, to be read again).
      const appliedAtExit = await applied();
      expect(appliedAtExit).toBeLessThan(events.length);
      const [committed] = await admin.fetchOffsets({
        groupId: 'credit-store',
        topics: [Topics.chargeRequested],
      });
      const at = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
      const committedOfOurs = start.reduce(
        (sum, p) => sum + Math.max(0, (at.get(p.partition) ?? 0) - Number(p.high)),
        0,
      );
      console.log(
        `applied at exit ${appliedAtExit} of ${events.length}, committed ${committedOfOurs}`,
      );
      expect(committedOfOurs).toBe(appliedAtExit);

      // The next store takes over where it stopped: every event once, every balance exact.
      const next = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
      try {
        await eventually(async () => expect(await applied()).toBe(events.length), {
          timeoutMs: 60_000,
        });
        const balances = await rows<{ balance: string }>(
          db,
          `SELECT balance FROM accounts WHERE user_id = ANY($1)`,
          [users],
        );
        expect(balances.map((b) => Number(b.balance))).toEqual(users.map(() => -600));
      } finally {
        await next.close();
      }
    } finally {
      if (store.child.exitCode === null) store.child.kill('SIGKILL');
      await admin.disconnect();
    }
  });
});
