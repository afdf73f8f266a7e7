import type { DataSource } from 'typeorm';
import { RunningApp, startCreditStore, startGateway } from './support/apps';
import { connect } from './support/db';
import { chargeEvent, produceCharges } from './support/charge-events';
import { call } from './support/http';
import { testBroker } from './support/test-broker';
import { eventually, unique } from './support/wait';

interface Health {
  status: 'ok' | 'error';
  info?: Record<string, { status: string }>;
  error?: Record<string, { status: string; message?: string }>;
  details: Record<string, { status: string; message?: string }>;
}

async function probe(url: string): Promise<{ status: number; body: Health }> {
  const response = await fetch(url); // no token: probes are public
  return { status: response.status, body: (await response.json()) as Health };
}

describe('/health and /health/ready (terminus)', () => {
  let store: RunningApp;
  let gateway: RunningApp;
  let storeDb: DataSource;

  beforeAll(async () => {
    store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
    gateway = await startGateway();
    storeDb = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(async () => {
    await storeDb?.destroy();
    await gateway?.close();
    await store?.close();
  });

  it('answers liveness and readiness with every check up', async () => {
    for (const app of [store, gateway]) {
      expect(await probe(`${app.url}/health`)).toMatchObject({
        status: 200,
        body: { status: 'ok' },
      });
      const ready = await probe(`${app.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ok');
      expect(ready.body.details).toEqual({
        postgres: { status: 'up' },
        migrations: { status: 'up' },
        kafka: { status: 'up' },
      });
    }
  });

  it('is not ready while a migration is pending, and names that check', async () => {
    const [last] = await storeDb.query<{ id: number; timestamp: string; name: string }[]>(
      `SELECT id, timestamp, name FROM schema_migrations ORDER BY id DESC LIMIT 1`,
    );
    await storeDb.query(`DELETE FROM schema_migrations WHERE id = $1`, [last.id]);
    try {
      const ready = await probe(`${store.url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.body.status).toBe('error');
      expect(ready.body.error).toEqual({
        migrations: { status: 'down', message: 'migrations are pending' },
      });
      expect(ready.body.details.postgres).toEqual({ status: 'up' });
    } finally {
      await storeDb.query(
        `INSERT INTO schema_migrations (id, timestamp, name) VALUES ($1, $2, $3)`,
        [last.id, last.timestamp, last.name],
      );
    }
    expect((await probe(`${store.url}/health/ready`)).status).toBe(200);
  });

  it('fails readiness (503, kafka down) on both apps while the broker is stopped, and recovers', async () => {
    testBroker.stop();
    try {
      // Both at once, and the broker back soon: a long outage would also exhaust the consumers'
      // reconnect budget, which is another test's subject (outbox-relay).
      const probes = await Promise.all(
        [store, gateway].map(async (app) => ({
          ready: await probe(`${app.url}/health/ready`),
          live: await probe(`${app.url}/health`),
        })),
      );
      for (const { ready, live } of probes) {
        expect(ready.status).toBe(503);
        expect(ready.body.status).toBe('error');
        expect(Object.keys(ready.body.error ?? {})).toEqual(['kafka']);
        expect(ready.body.error!.kafka.status).toBe('down');
        expect(ready.body.details.postgres).toEqual({ status: 'up' });
        // Liveness does not depend on the broker: restarting the app would not help.
        expect(live.status).toBe(200);
      }
    } finally {
      testBroker.start();
    }
    await eventually(
      async () => {
        for (const app of [store, gateway]) {
          expect((await probe(`${app.url}/health/ready`)).status).toBe(200);
        }
      },
      { timeoutMs: 45_000 },
    );
    // Ready again means working again: both consumers take in new messages (and they are not
    // left half-restarted when the apps close).
    const user = unique('user');
    const granted = await call('POST', `${store.url}/accounts/${user}/grants`, {
      body: { event_id: unique('grant'), amount: 50, source: 'purchase' },
    });
    expect(granted.status).toBe(201);
    await produceCharges(chargeEvent(user, 20));
    await eventually(
      async () => {
        const { body } = await call<{ balance: number }>('GET', `${store.url}/accounts/${user}`);
        expect(body.balance).toBe(30);
        const view = await call<{ balance: number }>(
          'GET',
          `${gateway.url}/internal/balances/${user}`,
          { as: 'internal' },
        );
        expect(view.body.balance).toBe(30);
      },
      { timeoutMs: 45_000 },
    );
  });
});
