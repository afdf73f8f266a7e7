import type { ChildProcess } from 'node:child_process';
import type { DataSource } from 'typeorm';
import { connect } from './support/db';
import { call } from './support/http';
import { freePort, spawnApp } from './support/spawn-app';
import { eventually, unique } from './support/wait';

/**
 * Every date a client sends names its offset: the server's own time zone never decides what an
 * instant means. The credit-store runs here as its own process in New York time.
 */
describe('date inputs on a server outside UTC', () => {
  let url: string;
  let child: ChildProcess;
  let db: DataSource;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    ({ child } = spawnApp('credit-store', {
      CREDIT_STORE_PORT: String(port),
      JOB_INTERVAL_SECONDS: '0',
      TZ: 'America/New_York',
    }));
    await eventually(async () => expect((await fetch(`${url}/health/ready`)).status).toBe(200), {
      timeoutMs: 30_000,
    });
    db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(async () => {
    await db?.destroy();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  const grant = (expires_at: string) =>
    call<{ code?: string; message?: string | string[]; event_id?: string }>(
      'POST',
      `${url}/accounts/${unique('user')}/grants`,
      { body: { event_id: unique('grant'), amount: 5, source: 'gift', expires_at } },
    );

  it('refuses an expires_at without an offset (400 naming the field)', async () => {
    const answer = await grant('2099-01-01T00:00:00');
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('expires_at');
  });

  it('refuses an expires_at already past (400, the rule API keys share)', async () => {
    for (const past of ['2020-01-01', new Date(Date.now() - 1000).toISOString()]) {
      const answer = await grant(past);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        code: 'validation_failed',
        message: 'expires_at must be in the future',
      });
    }
  });

  it('takes an expires_at with Z or an offset as that very instant', async () => {
    for (const [sent, instant] of [
      ['2099-01-01T00:00:00Z', '2099-01-01T00:00:00.000Z'],
      ['2099-01-01T00:00:00+02:00', '2098-12-31T22:00:00.000Z'],
    ]) {
      const answer = await grant(sent);
      expect(answer.status).toBe(201);
      const [stored] = await db.query<{ expires_at: Date }[]>(
        `SELECT expires_at FROM grants WHERE event_id = $1`,
        [answer.body.event_id],
      );
      expect(stored.expires_at.toISOString()).toBe(instant);
    }
  });

  it.each([
    ['ledger from', (v: string) => `/accounts/${unique('user')}/ledger?from=${v}`, 'from'],
    ['ledger to', (v: string) => `/accounts/${unique('user')}/ledger?to=${v}`, 'to'],
    ['finance summary from', (v: string) => `/finance/summary?from=${v}`, 'from'],
    ['finance export to', (v: string) => `/finance/ledger.csv?to=${v}`, 'to'],
  ])('refuses a %s bound without an offset (400 naming the field)', async (_, path, field) => {
    const answer = await call('GET', `${url}${path('2027-01-01T00:00:00')}`);
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain(field);
    const zoned = await fetch(`${url}${path('2027-01-01T00:00:00Z')}`, {
      headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN}` },
    });
    expect(zoned.status).toBe(200);
  });
});
