import type { DataSource } from 'typeorm';
import { RunningApp, startGateway, useCreditStore } from './support/apps';
import { connect, scalar } from './support/db';
import { call } from './support/http';
import { unique } from './support/wait';

/**
 * PostgreSQL out of room (a full data directory, or a full pg_wal whose PANIC reaches the backend
 * that was writing) answers SQLSTATE 53100. The charge was not recorded and may be sent again once
 * there is room: a 503, not a 500.
 */
describe('a database whose disk is full', () => {
  useCreditStore();
  let gateway: RunningApp;
  let db: DataSource;
  const fault = `disk_full_${Math.random().toString(36).slice(2, 10)}`;

  beforeAll(async () => {
    gateway = await startGateway();
    db = await connect(process.env.GATEWAY_DATABASE_URL);
  });
  afterAll(async () => {
    await db?.destroy();
    await gateway?.close();
  });

  /** The gateway's charge insert refused for `user` as PostgreSQL refuses a write it has no room for. */
  async function fillDiskFor(user: string): Promise<() => Promise<void>> {
    await db.query(
      `CREATE FUNCTION ${fault}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.user_id = '${user}' THEN
           RAISE EXCEPTION 'could not extend file "base/16384/16385": No space left on device'
             USING ERRCODE = 'disk_full';
         END IF;
         RETURN NEW;
       END $$`,
    );
    await db.query(
      `CREATE TRIGGER ${fault} BEFORE INSERT ON charges FOR EACH ROW EXECUTE FUNCTION ${fault}()`,
    );
    return async () => {
      await db.query(`DROP TRIGGER ${fault} ON charges`);
      await db.query(`DROP FUNCTION ${fault}()`);
    };
  }

  it('answers a charge 503 service_unavailable, and records it once when sent again after', async () => {
    const charge = { event_id: unique('df'), user_id: unique('df-user'), amount: 3, source: 'tts' };
    const send = () =>
      call('POST', `${gateway.url}/internal/charges`, { as: 'internal', body: charge });
    const free = await fillDiskFor(charge.user_id);
    let full;
    try {
      full = await send();
    } finally {
      await free();
    }
    expect(full.status).toBe(503);
    expect(full.body).toMatchObject({ code: 'service_unavailable' });

    const again = await send();
    expect(again.status).toBe(202);
    expect(
      await scalar(db, `SELECT count(*) FROM charges WHERE event_id = $1`, [charge.event_id]),
    ).toBe(1);
  });
});
