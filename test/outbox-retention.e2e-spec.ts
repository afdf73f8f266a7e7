import { loadConfig, runMigrations } from '@tally/platform';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { GatewayConfig } from '../apps/ai-gateway/src/config/gateway.config';
import { gatewayDataSourceOptions } from '../apps/ai-gateway/src/database/gateway-data-source';
import { OutboxPruner } from '../apps/ai-gateway/src/outbox/outbox-pruner';
import { RunningApp, startGateway } from './support/apps';
import { connect, rows, scalar } from './support/db';
import { call } from './support/http';
import { TEST_POSTGRES_SERVER } from './support/test-env';
import { unique } from './support/wait';

/**
 * Retention runs on a gateway database of its own: the run's shared one holds other files' rows,
 * and ages are faked here by moving created_at back.
 */
describe('outbox retention', () => {
  const database = `tally_retention_${process.pid}_${Date.now().toString(36)}`;
  const url = `${TEST_POSTGRES_SERVER}/${database}`;
  let gateway: RunningApp;
  let db: DataSource;

  async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: `${TEST_POSTGRES_SERVER}/postgres` });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    await admin((client) => client.query(`CREATE DATABASE ${database}`));
    await runMigrations(
      gatewayDataSourceOptions(
        loadConfig(GatewayConfig, { ...process.env, GATEWAY_DATABASE_URL: url }),
      ),
    );
    gateway = await startGateway({ GATEWAY_DATABASE_URL: url, OUTBOX_RELAY_ENABLED: '0' });
    db = await connect(url);
  });
  afterAll(async () => {
    await db?.destroy();
    await gateway?.close();
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
  });

  const charge = (event_id: string, user_id: string) =>
    call('POST', `${gateway.url}/internal/charges`, {
      as: 'internal',
      body: { event_id, user_id, amount: 3, source: 'tts' },
    });

  it('deletes published rows past the retention, keeps unpublished and recent ones, and repeats stay repeats', async () => {
    const user = unique('user');
    const ids = Array.from({ length: 30 }, () => unique('charge'));
    for (const id of ids) expect((await charge(id, user)).status).toBe(202);
    // The first 15 are 8 days old (the default retention is 7), of which 10 were published;
    // of the 15 recent ones, 10 were published.
    await db.query(
      `UPDATE outbox SET created_at = now() - interval '8 days' WHERE event_id = ANY($1)`,
      [ids.slice(0, 15)],
    );
    await db.query(`UPDATE outbox SET published_at = now() WHERE event_id = ANY($1)`, [
      [...ids.slice(0, 10), ...ids.slice(15, 25)],
    ]);

    expect(await gateway.app.get(OutboxPruner).prune()).toBe(10);

    const left = await rows<{ event_id: string }>(db, `SELECT event_id FROM outbox ORDER BY id`);
    expect(left.map((r) => r.event_id)).toEqual(ids.slice(10));
    expect(await scalar(db, `SELECT count(*) FROM charges WHERE event_id = ANY($1)`, [ids])).toBe(
      30,
    );
    // Idempotency rests on the charges table: a pruned charge sent again is still a repeat, with
    // no new outbox row (which would put it on the bus a second time).
    const again = await charge(ids[0], user);
    expect(again.status).toBe(202);
    expect(await scalar(db, `SELECT count(*) FROM outbox WHERE event_id = $1`, [ids[0]])).toBe(0);
    expect(await gateway.app.get(OutboxPruner).prune()).toBe(0);
  });
});
