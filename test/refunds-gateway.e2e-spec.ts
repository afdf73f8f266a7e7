import type { DataSource } from 'typeorm';
import { startGateway } from './support/apps';
import { ChatStack } from './support/chat-stack';
import { connect, rows } from './support/db';
import { call } from './support/http';
import { scrape, total } from './support/metrics';
import { issuePrincipal } from './support/principals';
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
    // Charges reach the ledger within a second or so, much later on 2 busy shared cores.
    await stack.start({ REFUND_CHARGE_WAIT_MS: '60000' });
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

  describe("a person's refund", () => {
    interface Recorded {
      app: string;
      action: string;
      outcome: string;
      status: number;
      actor_id: string;
      target_id: string;
      xmin: string;
    }
    let gatewayDb: DataSource;
    beforeAll(async () => {
      gatewayDb = await connect(process.env.GATEWAY_DATABASE_URL);
    });
    afterAll(async () => {
      await gatewayDb?.destroy();
    });
    const recordsIn = (db: DataSource, requestId: string) =>
      rows<Recorded>(
        db,
        `SELECT app, action, outcome, status, actor_id, target_id, xmin::text AS xmin
           FROM audit_records WHERE request_id = $1`,
        [requestId],
      );
    /** A charge already in the ledger (a person's refund is asked of it once, not waited for). */
    const chargeInLedger = async (user: string, amount: number) => {
      const charged = await charge(user, amount);
      await eventually(async () => expect((await entry(charged)).status).toBe(200));
      return charged;
    };
    const refundAs = (token: string, requestId: string, body: Record<string, unknown>) =>
      call<Accepted & { message?: string }>('POST', `${stack.gateway.url}/internal/refunds`, {
        token,
        body,
        headers: { 'x-request-id': requestId },
      });

    it("is audited once, by the credit-store, in the refund's own transaction, with the person and the request id", async () => {
      const support = await issuePrincipal(stack.store.url, 'support', 1_000);
      const user = await stack.fundedUser(100);
      const charged = await chargeInLedger(user, 40);
      const requestId = unique('req');
      const body = { event_id: unique('refund'), refund_of: charged, amount: 15 };
      const answer = await refundAs(support.token, requestId, body);
      expect(answer.status).toBe(201);
      // There as soon as the 201 came back: no relay in between.
      const recorded = await recordsIn(storeDb, requestId);
      const [refundEntry] = await rows<{ xmin: string; actor_id: string }>(
        storeDb,
        `SELECT xmin::text AS xmin, actor->>'id' AS actor_id FROM ledger_entries WHERE event_id = $1`,
        [body.event_id],
      );
      expect(recorded).toEqual([
        {
          app: 'credit-store',
          action: 'charge.refund',
          outcome: 'ok',
          status: 201,
          actor_id: support.id,
          target_id: charged,
          // Written by the transaction that wrote the refund's entry.
          xmin: refundEntry.xmin,
        },
      ]);
      expect(refundEntry.actor_id).toBe(support.id);
      // The gateway wrote none of its own (it would reach the trail through its outbox).
      expect(await recordsIn(gatewayDb, requestId)).toEqual([]);
    });

    it('records a refusal once: for the role on the gateway, for the daily limit on the credit-store', async () => {
      const finance = await issuePrincipal(stack.store.url, 'finance');
      const support = await issuePrincipal(stack.store.url, 'support', 10);
      const user = await stack.fundedUser(100);
      const charged = await chargeInLedger(user, 40);

      const byRole = unique('req');
      const refused = await refundAs(finance.token, byRole, {
        event_id: unique('refund'),
        refund_of: charged,
      });
      expect(refused.status).toBe(403);
      expect((await recordsIn(gatewayDb, byRole)).map((r) => [r.action, r.outcome])).toEqual([
        ['charge.refund', 'denied'],
      ]);
      await eventually(async () =>
        expect((await recordsIn(storeDb, byRole)).map((r) => [r.app, r.outcome])).toEqual([
          ['ai-gateway', 'denied'],
        ]),
      );

      const byLimit = unique('req');
      const tooMuch = await refundAs(support.token, byLimit, {
        event_id: unique('refund'),
        refund_of: charged,
        amount: 11,
      });
      expect(tooMuch.status).toBe(403);
      expect(tooMuch.body.code).toBe('limit_exceeded');
      expect(
        (await recordsIn(storeDb, byLimit)).map((r) => [r.app, r.action, r.outcome, r.actor_id]),
      ).toEqual([['credit-store', 'charge.refund', 'denied', support.id]]);
      expect(await recordsIn(gatewayDb, byLimit)).toEqual([]);
      expect(await account(user)).toMatchObject({ balance: 60, total_refunded: 0 });
    });
  });

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
      status: 201,
      body: {
        event_id: body.event_id,
        refund_of: charged,
        user_id: user,
        amount: 40,
        status: 'applied',
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

  it('refuses a second partial refund past the charge, and applies nothing of it', async () => {
    const user = await stack.fundedUser(100);
    const charged = await charge(user, 40);
    expect((await refund({ event_id: unique('r'), refund_of: charged, amount: 30 })).status).toBe(
      201,
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
    expect((await refund({ event_id: refundId, refund_of: charged })).status).toBe(201);
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
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    await eventually(async () =>
      expect(await account(user)).toMatchObject({ balance: 1_000, total_refunded: 1_000 }),
    );
  });

  const storeRefund = (user: string, body: Record<string, unknown>) =>
    call<Accepted>('POST', `${stack.store.url}/accounts/${user}/refunds`, { body });
  const ledgerAmount = async (eventId: string) => {
    const [row] = await rows<{ amount: string }>(
      storeDb,
      `SELECT amount FROM ledger_entries WHERE event_id = $1`,
      [eventId],
    );
    return row && Number(row.amount);
  };
  const deadLettered = async (eventIds: string[]) =>
    rows<{ event_id: string; code: string }>(
      storeDb,
      `SELECT event_id, code FROM dead_letters WHERE event_id = ANY($1::text[])`,
      [eventIds],
    );
  const inLedger = async (charged: string) => {
    await eventually(async () => expect((await entry(charged)).status).toBe(200));
  };

  it('answers one event_id with two amounts by the first that reached the ledger, whichever path: the second is a 409', async () => {
    const user = await stack.fundedUser(100);
    const charged = await charge(user, 50);
    await inLedger(charged);

    const viaGateway = unique('r');
    const first = await refund({ event_id: viaGateway, refund_of: charged, amount: 10 });
    expect(first.status).toBeLessThan(300);
    const second = await storeRefund(user, {
      event_id: viaGateway,
      refund_of: charged,
      amount: 20,
    });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('event_id_conflict');

    const viaStore = unique('r');
    expect(
      (await storeRefund(user, { event_id: viaStore, refund_of: charged, amount: 20 })).status,
    ).toBe(201);
    const late = await refund({ event_id: viaStore, refund_of: charged, amount: 10 });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('event_id_conflict');
    // The same body again answers the same, on either path.
    expect(await refund({ event_id: viaGateway, refund_of: charged, amount: 10 })).toEqual(first);

    await eventually(async () => expect(await ledgerAmount(viaGateway)).toBe(10));
    expect(await ledgerAmount(viaStore)).toBe(20);
    expect(await account(user)).toMatchObject({ balance: 80, total_refunded: 30 });
    expect(await deadLettered([viaGateway, viaStore])).toEqual([]);
  });

  it('answers 2xx only to refunds the ledger applied: 30 + 30 concurrent refunds of a tenth, through both paths', async () => {
    const user = await stack.fundedUser(100);
    const charged = await charge(user, 100);
    await inLedger(charged);
    const ids = Array.from({ length: 60 }, () => unique('r'));
    const answers = await Promise.all(
      ids.map((event_id, i) =>
        i % 2 === 0
          ? refund({ event_id, refund_of: charged, amount: 10 })
          : storeRefund(user, { event_id, refund_of: charged, amount: 10 }),
      ),
    );
    const yes = ids.filter((_, i) => answers[i].status < 300);
    const no = answers.filter((a) => a.status >= 300);
    expect(yes).toHaveLength(10);
    expect(no.every((a) => a.status === 409 && a.body.code === 'refund_exceeds_charge')).toBe(true);
    // Every refund answered 2xx is in the ledger, and none of the others ever gets there.
    await eventually(async () =>
      expect(await account(user)).toMatchObject({ balance: 100, total_refunded: 100 }),
    );
    for (const id of yes) expect(await ledgerAmount(id)).toBe(10);
    expect(await deadLettered(ids)).toEqual([]);
  });

  it('answers 503, and refunds nothing, when its charge never reaches the ledger', async () => {
    const replica = await startGateway({
      CREDIT_STORE_URL: stack.store.url,
      OUTBOX_RELAY_ENABLED: '0',
      REFUND_CHARGE_WAIT_MS: '1000',
    });
    try {
      const user = await stack.fundedUser(100);
      // Capturing a hold that does not exist: the ledger dead-letters the charge.
      const refused = unique('charge');
      const answer = await call('POST', `${stack.gateway.url}/internal/charges`, {
        as: 'internal',
        body: {
          event_id: refused,
          user_id: user,
          source: 'video',
          amount: 5,
          hold_id: 'no-such-hold',
        },
      });
      expect(answer.status).toBe(202);
      await eventually(async () => expect(await deadLettered([refused])).toHaveLength(1));
      const body = { event_id: unique('r'), refund_of: refused };
      const late = await call<Accepted>('POST', `${replica.url}/internal/refunds`, {
        as: 'internal',
        body,
      });
      expect(late.status).toBe(503);
      expect(late.body.code).toBe('service_unavailable');
      expect((await entry(body.event_id)).status).toBe(404);
      expect(await account(user)).toMatchObject({ balance: 100, total_refunded: 0 });
    } finally {
      await replica.close();
    }
  });

  it('applies 1,000 refunds asked right after their charges: each waits for its charge, none refused', async () => {
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
          expect(answer.status).toBe(201);
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
    // Each refund is answered once its charge is in the ledger (the relay's and the consumer's
    // batching, about a second): 20 rounds of 50, several minutes on 2 busy shared cores.
  }, 240_000);
});
