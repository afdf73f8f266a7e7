import { randomUUID } from 'node:crypto';
import { AccountEvent, ErrorCode, parseAccountEvent, Topics } from '@tally/contracts';
import { DeadLetterPublisher } from '../apps/credit-store/src/charges/dead-letter.publisher';
import { AccountEventRepository } from '../apps/credit-store/src/outbox/account-event.repository';
import { useCreditStore } from './support/apps';
import { chargeEvent, produceCharges, refundMessage } from './support/charge-events';
import { call } from './support/http';
import { produce, readTopicUntil } from './support/kafka-helpers';
import { giftGrant } from './support/ledger-calls';
import { eventually, unique } from './support/wait';

/**
 * `credit.account.events`: one event per fact, made in the ledger transaction that causes it,
 * numbered per user. Every assertion reads the topic through a real consumer and waits for a
 * last "marker" event: a user's events are in order on their partition, so whatever an earlier
 * cause (or its redelivery) produced has arrived by then.
 */
describe('account events on credit.account.events', () => {
  const app = useCreditStore();

  /**
   * The user's events on the topic once `until` holds, each validated by the contract, repeats
   * dropped by id (as consumers are told to: publication is at least once; a fact has one id).
   */
  const eventsOf = async (user: string, until: (events: AccountEvent[]) => boolean) => {
    const parse = (value: string | null) => {
      const parsed = parseAccountEvent(value);
      if (!parsed.ok) throw new Error(`not an account event: ${parsed.reasons.join('; ')}`);
      return parsed.event;
    };
    const mine = (messages: { key: string | null; value: string | null }[]) => {
      const seen = new Set<string>();
      return messages
        .filter((m) => m.key === user)
        .map((m) => parse(m.value))
        .filter((e) => !seen.has(e.id) && seen.add(e.id));
    };
    return mine(
      await readTopicUntil(Topics.accountEvents, (messages) => until(mine(messages)), 30_000),
    );
  };
  const untilMarker = (marker: string) => (events: AccountEvent[]) =>
    events.some((e) => e.type === 'grant.created' && e.data.event_id === marker);
  const types = (events: AccountEvent[]) => events.map((e) => e.type);

  const charge = async (user: string, amount: number, times = 1) => {
    const event = chargeEvent(user, amount);
    for (let i = 0; i < times; i++) await produceCharges(event);
    await eventually(async () =>
      expect((await call('GET', `${app.store.url}/ledger/${event.event_id}`)).status).toBe(200),
    );
    return event.event_id;
  };
  const setLowBalance = async (user: string, low_balance: number | null) =>
    expect(
      (await call('PUT', `${app.store.url}/accounts/${user}/alerts`, { body: { low_balance } }))
        .status,
    ).toBe(200);
  /** seq runs 1, 2, 3… in the order the user's events arrive. */
  const expectGaplessSeq = (events: AccountEvent[]) =>
    expect(events.map((e) => Number(e.seq))).toEqual(events.map((_, i) => i + 1));

  it('grant.created, charge.refunded and balance.low once each, however often their message comes', async () => {
    const user = unique('user');
    await setLowBalance(user, 100);
    const grant = await giftGrant(app.store.url, user, 500);
    const charged = await charge(user, 450, 2);
    const refund = refundMessage(user, charged, 50);
    await produce(Topics.chargeRequested, [refund, refund]);
    const refundId = (JSON.parse(refund.value) as { event_id: string }).event_id;
    await eventually(async () =>
      expect((await call('GET', `${app.store.url}/ledger/${refundId}`)).status).toBe(200),
    );
    const marker = await giftGrant(app.store.url, user, 1);

    const events = await eventsOf(user, untilMarker(marker));
    expect(types(events)).toEqual([
      'grant.created',
      'account.unblocked',
      'balance.low',
      'charge.refunded',
      'grant.created',
    ]);
    expectGaplessSeq(events);
    expect(events[0]).toMatchObject({
      user_id: user,
      data: { event_id: grant, grant_id: grant, source: 'gift', amount: 500, balance_after: 500 },
    });
    expect(events[2].data).toEqual({
      event_id: charged,
      threshold: 100,
      balance_before: 500,
      balance_after: 50,
    });
    expect(events[3].data).toEqual({
      event_id: refundId,
      charge_event_id: charged,
      amount: 50,
      balance_after: 100,
    });
  });

  it('order.paid, order.refunded, grant.voided and grant.expired from their causes, once', async () => {
    const user = unique('user');
    const product = await call<{ id: number }>('POST', `${app.store.url}/admin/products`, {
      body: {
        sku: unique('sku'),
        name: 'Pack',
        credit_amount: 300,
        price_cent: 499,
        currency: 'USD',
      },
    });
    const order = (
      await call<{ order_id: string }>('POST', `${app.store.url}/orders`, {
        body: { user_id: user, product_id: product.body.id, quantity: 1 },
      })
    ).body.order_id;
    for (let i = 0; i < 2; i++) {
      expect(
        (await call('POST', `${app.store.url}/orders/${order}/paid`, { body: {} })).status,
      ).toBe(200);
    }
    for (let i = 0; i < 2; i++) {
      expect(
        (await call('POST', `${app.store.url}/orders/${order}/refund`, { body: {} })).status,
      ).toBe(200);
    }
    const voided = await giftGrant(app.store.url, user, 40);
    for (let i = 0; i < 2; i++) {
      expect(
        (await call('POST', `${app.store.url}/grants/${voided}/void`, { body: {} })).status,
      ).toBe(200);
    }
    const expiring = await giftGrant(app.store.url, user, 30);
    await app.db.query(
      `UPDATE grants SET expires_at = now() - interval '1 second' WHERE event_id = $1`,
      [expiring],
    );
    for (let i = 0; i < 2; i++) await call('POST', `${app.store.url}/admin/jobs/expire-grants`);
    const marker = await giftGrant(app.store.url, user, 1);

    const events = await eventsOf(user, untilMarker(marker));
    expect(types(events)).toEqual([
      'grant.created',
      'order.paid',
      'account.unblocked',
      'order.refunded',
      'account.blocked',
      'grant.created',
      'account.unblocked',
      'grant.voided',
      'account.blocked',
      'grant.created',
      'account.unblocked',
      'grant.expired',
      'account.blocked',
      'grant.created',
      'account.unblocked',
    ]);
    expectGaplessSeq(events);
    expect(events[1].data).toMatchObject({
      order_id: order,
      amount: 300,
      price_cent: 499,
      currency: 'USD',
      balance_after: 300,
    });
    expect(events[3].data).toMatchObject({ order_id: order, amount: 300, balance_after: 0 });
    expect(events[7].data).toMatchObject({ grant_id: voided, amount: 40, balance_after: 0 });
    expect(events[11].data).toMatchObject({ grant_id: expiring, amount: 30, balance_after: 0 });
  });

  it('balance.low once when 50 concurrent charges cross the threshold together; again after a grant', async () => {
    const user = unique('user');
    await setLowBalance(user, 600);
    // 50 grants at once: 50 transactions queue on the account's lock, numbered without a gap.
    const grants = await Promise.all(
      Array.from({ length: 50 }, () => giftGrant(app.store.url, user, 20)),
    );
    // 25 voids over HTTP and 25 charges on the bus, all at once: each takes the balance down, from
    // 1,000 to at most 500 (the charges alone take 500), so it crosses 600 once.
    const charges = Array.from({ length: 25 }, () => chargeEvent(user, 20));
    await Promise.all([
      ...grants
        .slice(0, 25)
        .map((g) => call('POST', `${app.store.url}/grants/${g}/void`, { body: {} })),
      ...charges.map((c) => produceCharges(c)),
    ]);
    await eventually(
      async () => {
        for (const c of charges) {
          expect((await call('GET', `${app.store.url}/ledger/${c.event_id}`)).status).toBe(200);
        }
      },
      { timeoutMs: 60_000 },
    );
    // What is left depends on how the charges and voids interleaved (a void writes off what its
    // grant still holds): 500 at most, 0 at least.
    const { balance } = (
      await call<{ balance: number }>('GET', `${app.store.url}/accounts/${user}`)
    ).body;
    const rearm = await giftGrant(app.store.url, user, 600);
    await charge(user, balance + 200);
    const marker = await giftGrant(app.store.url, user, 1);

    const events = await eventsOf(user, untilMarker(marker));
    expectGaplessSeq(events);
    const lows = events.filter((e) => e.type === 'balance.low');
    expect(lows).toHaveLength(2);
    expect(Number(lows[0].data.balance_before)).toBeGreaterThanOrEqual(600);
    expect(Number(lows[0].data.balance_after)).toBeLessThan(600);
    expect(lows[1].data).toMatchObject({
      balance_before: balance + 600,
      balance_after: 400,
      threshold: 600,
    });
    expect(types(events).filter((t) => t === 'account.blocked')).toHaveLength(
      balance === 0 ? 1 : 0,
    );
    expect(events.filter((e) => e.type === 'grant.created')).toHaveLength(52);
    expect(events.find((e) => e.data.event_id === rearm)?.type).toBe('grant.created');
  }, 180_000);

  it('grant.expiring once per grant with credits left, GRANT_EXPIRING_DAYS (3) before its expiry, however often the job runs', async () => {
    const user = unique('user');
    const soon = await giftGrant(app.store.url, user, 70);
    const later = await giftGrant(app.store.url, user, 20);
    const spent = await giftGrant(app.store.url, user, 5);
    const expiresAt = new Date(Date.now() + 2 * 86_400_000);
    const setExpiry = (grant: string, at: Date) =>
      app.db.query(`UPDATE grants SET expires_at = $2 WHERE event_id = $1`, [grant, at]);
    await setExpiry(soon, expiresAt);
    await setExpiry(later, new Date(Date.now() + 5 * 86_400_000));
    // Expiring first, so the charge draws it empty.
    await setExpiry(spent, new Date(Date.now() + 86_400_000));
    await charge(user, 5);
    // Three at once (replicas) and then again: one event per grant, announced by one run.
    const run = () =>
      call<{ expiring: number }>('POST', `${app.store.url}/admin/jobs/expire-grants`);
    const runs = await Promise.all([run(), run(), run()]);
    runs.push(await run());
    expect(runs.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(runs.reduce((sum, r) => sum + r.body.expiring, 0)).toBe(1);
    const marker = await giftGrant(app.store.url, user, 1);

    const events = await eventsOf(user, untilMarker(marker));
    expect(types(events)).toEqual([
      'grant.created',
      'account.unblocked',
      'grant.created',
      'grant.created',
      'grant.expiring',
      'grant.created',
    ]);
    expectGaplessSeq(events);
    expect(events[4].data).toEqual({
      event_id: soon,
      grant_id: soon,
      amount_remaining: 70,
      expires_at: expiresAt.toISOString(),
      balance: 90,
    });
  });

  it('charge.dead_lettered once per dead letter, also when its message is delivered again', async () => {
    const user = unique('user');
    await giftGrant(app.store.url, user, 10);
    const bad = chargeEvent(user, -5);
    await produceCharges(bad);
    const letter = async () => {
      const rows: { topic: string; partition: number; offset: string }[] = await app.db.query(
        `SELECT source_topic AS topic, source_partition AS partition, source_offset::text AS offset
           FROM dead_letters WHERE event_id = $1`,
        [bad.event_id],
      );
      return rows;
    };
    await eventually(async () => expect(await letter()).toHaveLength(1));
    // The same message again from its offset (as after a crash before the commit), in turn and
    // on two replicas at once.
    const [origin] = await letter();
    const again = {
      message: {
        ...origin,
        key: Buffer.from(user),
        value: Buffer.from(JSON.stringify(bad)),
        headers: {},
      },
      code: ErrorCode.ValidationFailed,
      reasons: ['payload.amount must not be less than 0'],
    };
    const publisher = app.store.app.get(DeadLetterPublisher);
    await publisher.publish([again]);
    await Promise.all([publisher.publish([again]), publisher.publish([again])]);
    expect(await letter()).toHaveLength(1);
    const marker = await giftGrant(app.store.url, user, 1);

    const events = await eventsOf(user, untilMarker(marker));
    expect(types(events)).toEqual([
      'grant.created',
      'account.unblocked',
      'charge.dead_lettered',
      'grant.created',
    ]);
    expectGaplessSeq(events);
    const { reason, ...data } = events[2].data;
    expect(data).toEqual({ event_id: bad.event_id, code: 'validation_failed' });
    expect(reason).toContain('payload.amount');
  });

  it("the relay takes a user's pending events in numeric seq order (9 before 10)", async () => {
    const user = unique('user');
    const repository = new AccountEventRepository();
    const draft = (seq: bigint) => ({
      id: randomUUID(),
      user_id: user,
      seq,
      type: 'grant.created' as const,
      data: {},
    });
    const rollback = new Error('rollback');
    let seqs: string[] = [];
    // Never committed: the running relay must not publish these made-up events.
    await app.db
      .transaction(async (db) => {
        await repository.insert(db, [draft(9n), draft(10n), draft(100n)]);
        const pending = await repository.findPending(db, 1_000_000);
        seqs = pending.filter((e) => e.user_id === user).map((e) => e.seq);
        throw rollback;
      })
      .catch((error: unknown) => {
        if (error !== rollback) throw error;
      });
    expect(seqs).toEqual(['9', '10', '100']);
  });

  it('PUT /accounts/{id}/alerts: null turns the alert off; bad input is a 400 naming the field', async () => {
    const user = unique('user');
    for (const body of [{}, { low_balance: -1 }, { low_balance: 'ten' }, { low_balance: 1.5 }]) {
      const answer = await call<{ message: string }>(
        'PUT',
        `${app.store.url}/accounts/${user}/alerts`,
        { body },
      );
      expect(answer.status).toBe(400);
      expect(JSON.stringify(answer.body)).toContain('low_balance');
    }
    const set = await call('PUT', `${app.store.url}/accounts/${user}/alerts`, {
      body: { low_balance: 50 },
    });
    expect(set.body).toEqual({ user_id: user, low_balance: 50, default: false });
    await setLowBalance(user, null);
    const [audit]: { n: number }[] = await app.db.query(
      `SELECT count(*)::int AS n FROM audit_records WHERE action = 'account.alerts.update' AND outcome = 'ok' AND target_id = $1`,
      [user],
    );
    expect(audit.n).toBe(2);

    await giftGrant(app.store.url, user, 100);
    await charge(user, 90);
    const marker = await giftGrant(app.store.url, user, 1);
    const events = await eventsOf(user, untilMarker(marker));
    expect(types(events)).not.toContain('balance.low');
  });
});
