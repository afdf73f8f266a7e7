import type { DataSource } from 'typeorm';
import { ChatStack } from './support/chat-stack';
import { connect, rows } from './support/db';
import { call } from './support/http';
import { scrape, total } from './support/metrics';
import { eventually, unique } from './support/wait';

interface Accepted {
  event_id: string;
  refund_of: string;
  user_id: string;
  amount: number;
  status: string;
  code?: string;
}

describe('refunds through the gateway', () => {
  const stack = new ChatStack();
  let storeDb: DataSource;

  beforeAll(async () => {
    await stack.start();
    storeDb = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(async () => {
    await storeDb?.destroy();
    await stack.stop();
  });

  const charge = async (user: string, amount: number) => {
    const event_id = unique('charge');
    const answer = await call('POST', `${stack.gateway.url}/internal/charges`, {
      as: 'internal',
      body: { event_id, user_id: user, source: 'video', amount },
    });
    expect(answer.status).toBe(202);
    return event_id;
  };
  const refund = (body: Record<string, unknown>) =>
    call<Accepted>('POST', `${stack.gateway.url}/internal/refunds`, { as: 'internal', body });
  const account = async (user: string) =>
    (
      await call<{ balance: number; total_refunded: number }>(
        'GET',
        `${stack.store.url}/accounts/${user}`,
      )
    ).body;
  const entry = (eventId: string) =>
    call<{ source: string; amount: number; source_ref_id: string; allocations: unknown }>(
      'GET',
      `${stack.store.url}/ledger/${eventId}`,
    );

  it('gives a charge back after it: balance and grant back, linked, once', async () => {
    const user = await stack.fundedUser(100);
    const [granted] = await rows<{ event_id: string; expires_at: Date | null }>(
      storeDb,
      `SELECT event_id, expires_at FROM grants WHERE user_id = $1`,
      [user],
    );
    const charged = await charge(user, 40);
    const body = { event_id: unique('refund'), refund_of: charged, reason: 'video failed' };
    const first = await refund(body);
    expect(first).toEqual({
      status: 202,
      body: {
        event_id: body.event_id,
        refund_of: charged,
        user_id: user,
        amount: 40,
        status: 'accepted',
      },
    });
    expect(await refund(body)).toEqual(first);
    const other = await refund({ ...body, amount: 1 });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('event_id_conflict');

    const applied = await eventually(async () => {
      const answer = await entry(body.event_id);
      expect(answer.status).toBe(200);
      return answer.body;
    });
    expect(applied).toMatchObject({
      source: 'refund',
      amount: 40,
      source_ref_id: charged,
      allocations: [{ grant: granted.event_id, amount: 40 }],
    });
    expect(await account(user)).toMatchObject({ balance: 100, total_refunded: 40 });
    const [after] = await rows<{ remaining: string; expires_at: Date | null }>(
      storeDb,
      `SELECT remaining, expires_at FROM grants WHERE event_id = $1`,
      [granted.event_id],
    );
    expect(after).toEqual({ remaining: '100', expires_at: granted.expires_at });
  });

  it('refuses a second partial refund past the charge, and queues nothing of it', async () => {
    const user = await stack.fundedUser(100);
    const charged = await charge(user, 40);
    expect((await refund({ event_id: unique('r'), refund_of: charged, amount: 30 })).status).toBe(
      202,
    );
    const over = { event_id: unique('r'), refund_of: charged, amount: 20 };
    const answer = await refund(over);
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('refund_exceeds_charge');
    const unknown = await refund({ event_id: unique('r'), refund_of: 'no-such-charge' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('refund_of_unknown');
    await eventually(async () =>
      expect(await account(user)).toMatchObject({ balance: 90, total_refunded: 30 }),
    );
    expect((await entry(over.event_id)).status).toBe(404);
  });

  it('answers a charge under a refund’s event_id with 409, and charges the others recorded with it', async () => {
    const user = await stack.fundedUser(100);
    const charged = await charge(user, 10);
    const refundId = unique('r');
    expect((await refund({ event_id: refundId, refund_of: charged })).status).toBe(202);
    const [clash, other] = await Promise.all([
      call('POST', `${stack.gateway.url}/internal/charges`, {
        as: 'internal',
        body: { event_id: refundId, user_id: user, source: 'video', amount: 5 },
      }),
      call('POST', `${stack.gateway.url}/internal/charges`, {
        as: 'internal',
        body: { event_id: unique('charge'), user_id: user, source: 'video', amount: 7 },
      }),
    ]);
    expect(clash.status).toBe(409);
    expect(clash.body.code).toBe('event_id_conflict');
    expect(other.status).toBe(202);
    await eventually(async () => expect(await account(user)).toMatchObject({ balance: 93 }));
  });

  it('accepts exactly 10 of 50 concurrent refunds of a tenth of one charge', async () => {
    const user = await stack.fundedUser(1_000);
    const charged = await charge(user, 1_000);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        refund({ event_id: unique('r'), refund_of: charged, amount: 100 }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    await eventually(async () =>
      expect(await account(user)).toMatchObject({ balance: 1_000, total_refunded: 1_000 }),
    );
  });

  it('applies 1,000 refunds published right after their charges: none refused, none overtaking', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => stack.fundedUser(10_000)));
    const parked = async () =>
      total(await scrape(stack.store.url), 'tally_refunds_waiting_total', { outcome: 'parked' }) ??
      0;
    const parkedBefore = await parked();
    const pairs = Array.from({ length: 1_000 }, (_, i) => ({ user: users[i % users.length], i }));
    const refundIds: string[] = [];
    for (let start = 0; start < pairs.length; start += 50) {
      await Promise.all(
        pairs.slice(start, start + 50).map(async ({ user, i }) => {
          const charged = await charge(user, 10 + (i % 7));
          const answer = await refund({ event_id: unique('r'), refund_of: charged });
          expect(answer.status).toBe(202);
          refundIds.push(answer.body.event_id);
        }),
      );
    }
    await eventually(
      async () => {
        const [{ n }] = await rows<{ n: string }>(
          storeDb,
          `SELECT count(*) AS n FROM ledger_entries WHERE event_id = ANY($1::text[])`,
          [refundIds],
        );
        expect(Number(n)).toBe(1_000);
      },
      { timeoutMs: 60_000 },
    );
    for (const user of users) expect((await account(user)).balance).toBe(10_000);
    const [{ overtaken }] = await rows<{ overtaken: string }>(
      storeDb,
      `SELECT count(*) AS overtaken FROM ledger_entries r JOIN ledger_entries c
           ON c.event_id = r.source_ref_id
        WHERE r.event_id = ANY($1::text[]) AND r.id < c.id`,
      [refundIds],
    );
    expect(Number(overtaken)).toBe(0);
    expect(await parked()).toBe(parkedBefore);
  });
});
