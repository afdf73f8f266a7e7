import type { DataSource } from 'typeorm';
import { RunningApp, startGateway, useCreditStore } from './support/apps';
import { connect, rows, scalar } from './support/db';
import { call } from './support/http';
import { eventually, unique } from './support/wait';

/**
 * Concurrent POST /internal/charges share transactions (group commit). These tests hold it to
 * what one transaction per charge guaranteed: each 202 durably recorded once, repeats answered as
 * the first, conflicts refused, each user's charges numbered 1..n, and the ledger exact.
 */
describe('charges recorded at the same moment (group commit)', () => {
  const credit = useCreditStore();
  let gateway: RunningApp;
  let gatewayDb: DataSource;

  beforeAll(async () => {
    // 300 calls at once from one address: more connections than one client may hold by default.
    gateway = await startGateway({ HTTP_MAX_CONNECTIONS_PER_ADDRESS: '0' });
    gatewayDb = await connect(process.env.GATEWAY_DATABASE_URL);
  });
  afterAll(async () => {
    await gatewayDb?.destroy();
    await gateway?.close();
  });

  // Each request names itself, so the test can tell whose id each grouped outbox row carries.
  const charge = (body: { event_id: string }, i: number) =>
    call(`POST`, `${gateway.url}/internal/charges`, {
      as: 'internal',
      body,
      headers: { 'x-request-id': `req-${i}-${body.event_id}` },
    });

  it('answers 300 concurrent charges, repeats and conflicts exactly as one by one, and the ledger holds each once', async () => {
    const users = Array.from({ length: 10 }, () => unique('gc-user'));
    const firsts = Array.from({ length: 200 }, (_, i) => ({
      event_id: unique('gc'),
      user_id: users[i % users.length],
      amount: 1 + (i % 7),
      source: 'tts',
    }));
    // Sent in the same burst as their originals, so many land in the same transaction.
    const repeats = firsts.slice(0, 50);
    const conflicts = firsts.slice(50, 100).map((c) => ({ ...c, amount: c.amount + 100 }));

    // The burst arrives while the gateway's first writes are held up (the charges table locked
    // against inserts), as under real load; without this, on a machine where each write is done
    // before the next request is parsed, nothing would queue and nothing would be grouped.
    const hold = gatewayDb.createQueryRunner();
    await hold.connect();
    await hold.startTransaction();
    await hold.query('LOCK TABLE charges IN SHARE MODE');
    const answering = Promise.all(
      [...firsts, ...repeats, ...conflicts].map((body, i) => charge(body, i)),
    );
    try {
      await eventually(
        async () =>
          expect(
            await scalar(
              gatewayDb,
              `SELECT count(*) FROM pg_locks WHERE relation = 'charges'::regclass AND NOT granted`,
            ),
          ).toBeGreaterThan(0),
        { timeoutMs: 30_000, intervalMs: 20 },
      );
      await new Promise((resolve) => setTimeout(resolve, 1000));
    } finally {
      await hold.commitTransaction();
      await hold.release();
    }
    const answers = await answering;

    const byEvent = new Map<string, number[]>();
    answers.forEach((answer, i) => {
      const body = [...firsts, ...repeats, ...conflicts][i];
      byEvent.set(body.event_id, [...(byEvent.get(body.event_id) ?? []), answer.status]);
    });
    for (const c of firsts.slice(0, 50)) expect(byEvent.get(c.event_id)).toEqual([202, 202]);
    // Of a charge and its conflicting twin, whichever came first is recorded; the other is a 409.
    for (const c of firsts.slice(50, 100)) {
      expect([...byEvent.get(c.event_id)!].sort()).toEqual([202, 409]);
    }
    for (const c of firsts.slice(100)) expect(byEvent.get(c.event_id)).toEqual([202]);
    answers
      .filter((a) => a.status === 202)
      .forEach((a) => expect(a.body).toMatchObject({ status: 'accepted' }));

    const recorded = await rows<{ event_id: string; user_id: string; amount: string }>(
      gatewayDb,
      `SELECT event_id, user_id, amount FROM charges WHERE user_id = ANY($1)`,
      [users],
    );
    expect(recorded).toHaveLength(200);
    expect(
      await scalar(gatewayDb, `SELECT count(*) FROM outbox WHERE message_key = ANY($1)`, [users]),
    ).toBe(200);
    // Each repeat's 202 named the amount that was recorded for its event_id.
    const amountOf = new Map(recorded.map((r) => [r.event_id, Number(r.amount)]));
    answers.forEach((answer) => {
      if (answer.status !== 202) return;
      const { event_id, amount } = answer.body as { event_id: string; amount: number };
      expect(amount).toBe(amountOf.get(event_id));
    });

    // Every outbox row keeps the id of the request that recorded it, though it was written in a
    // statement that another request's turn set off.
    const requestIds = await rows<{ event_id: string; request_id: string }>(
      gatewayDb,
      `SELECT event_id, request_id FROM outbox WHERE message_key = ANY($1)`,
      [users],
    );
    for (const { event_id, request_id } of requestIds) {
      expect(request_id).toMatch(new RegExp(`^req-\\d+-${event_id}$`));
    }

    // Sequences: every user's charges are numbered without a repeat.
    const duplicatedSequences = await scalar(
      gatewayDb,
      `SELECT count(*) FROM (SELECT user_id, sequence FROM charges WHERE user_id = ANY($1)
                               GROUP BY 1, 2 HAVING count(*) > 1) d`,
      [users],
    );
    expect(duplicatedSequences).toBe(0);
    // And the burst really was grouped: fewer transactions (same now()) than charges.
    const transactions = await scalar(
      gatewayDb,
      `SELECT count(DISTINCT created_at) FROM charges WHERE user_id = ANY($1)`,
      [users],
    );
    console.log(`300 charges (200 distinct) recorded in ${transactions} transactions`);
    expect(transactions).toBeLessThan(200);

    const expected = new Map<string, number>();
    for (const r of recorded)
      expected.set(r.user_id, (expected.get(r.user_id) ?? 0) - Number(r.amount));
    await eventually(async () => {
      const balances = await rows<{ user_id: string; balance: string; n: string }>(
        credit.db,
        `SELECT a.user_id, a.balance, (SELECT count(*) FROM ledger_entries e WHERE e.user_id = a.user_id) AS n
           FROM accounts a WHERE a.user_id = ANY($1)`,
        [users],
      );
      expect(balances.map((b) => [b.user_id, Number(b.balance)]).sort()).toEqual(
        [...expected].sort(),
      );
      expect(balances.reduce((sum, b) => sum + Number(b.n), 0)).toBe(200);
    });
  });
});
