import { useCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { rows } from './support/db';
import { call } from './support/http';
import { accountOf, giftGrant } from './support/ledger-calls';
import { eventually, unique } from './support/wait';

const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

interface Account {
  balance: number;
  total_consumed: number;
  total_expired: number;
  total_refunded: number;
  blocked: boolean;
}
interface Entry {
  event_id: string;
  source: string;
  amount: number;
  source_ref_id: string | null;
  allocations: { grant: string; amount: number }[] | null;
}

describe('refunds of charges (credit-store)', () => {
  const app = useCreditStore();

  const grant = (user: string, amount: number, expires_at?: string | null) =>
    giftGrant(app.store.url, user, amount, expires_at);
  const account = (user: string) => accountOf<Account>(app.store.url, user);
  const grants = async (user: string) =>
    Object.fromEntries(
      (
        await rows<{ event_id: string; remaining: string; expires_at: Date | null }>(
          app.db,
          `SELECT event_id, remaining, expires_at FROM grants WHERE user_id = $1`,
          [user],
        )
      ).map((r) => [r.event_id, { remaining: Number(r.remaining), expires_at: r.expires_at }]),
    );
  const charge = async (user: string, amount: number) => {
    const event = chargeEvent(user, amount);
    await produceCharges(event);
    await eventually(async () =>
      expect((await call('GET', `${app.store.url}/ledger/${event.event_id}`)).status).toBe(200),
    );
    return event.event_id;
  };
  const refund = (user: string, body: Record<string, unknown>) =>
    call<Entry & { code?: string }>('POST', `${app.store.url}/accounts/${user}/refunds`, { body });
  const entries = async (user: string) =>
    rows<{ event_id: string; source: string; amount: string }>(
      app.db,
      `SELECT event_id, source, amount FROM ledger_entries WHERE user_id = $1 ORDER BY id`,
      [user],
    );
  const reconciled = async () => {
    const body = (
      await call<{ ok: boolean; mismatches: unknown[] }>(
        'GET',
        `${app.store.url}/finance/reconciliation`,
      )
    ).body;
    expect(body.mismatches).toEqual([]);
    expect(body.ok).toBe(true);
  };

  it('gives the credits back to the grant with its expiry, once per event_id, linked to the charge', async () => {
    const user = unique('user');
    const expires = inDays(30);
    const g = await grant(user, 100, expires);
    const charged = await charge(user, 40);
    const event_id = unique('refund');

    const first = await refund(user, { event_id, refund_of: charged, reason: 'job failed' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      source: 'refund',
      amount: 40,
      source_ref_id: charged,
      allocations: [{ grant: g, amount: 40 }],
    });
    expect(await account(user)).toMatchObject({ balance: 100, total_refunded: 40 });
    expect((await grants(user))[g]).toEqual({ remaining: 100, expires_at: new Date(expires) });

    const again = await refund(user, { event_id, refund_of: charged, reason: 'job failed' });
    expect(again.status).toBe(201);
    expect(again.body.amount).toBe(40);
    expect(await account(user)).toMatchObject({ balance: 100, total_refunded: 40 });

    const other = await refund(user, { event_id, refund_of: charged, amount: 5 });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('event_id_conflict');
    await reconciled();
  });

  it('refuses what goes past the charge, and writes nothing of it', async () => {
    const user = unique('user');
    await grant(user, 100, null);
    const charged = await charge(user, 30);
    expect(
      (await refund(user, { event_id: unique('r'), refund_of: charged, amount: 20 })).status,
    ).toBe(201);
    const before = await entries(user);
    const over = await refund(user, { event_id: unique('r'), refund_of: charged, amount: 11 });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe('refund_exceeds_charge');
    expect(await entries(user)).toEqual(before);
    // Without an amount: what is left (10); then nothing is left.
    expect((await refund(user, { event_id: unique('r'), refund_of: charged })).body.amount).toBe(
      10,
    );
    const none = await refund(user, { event_id: unique('r'), refund_of: charged });
    expect(none.body.code).toBe('refund_exceeds_charge');
    expect(await account(user)).toMatchObject({ balance: 100, total_refunded: 30 });
    await reconciled();
  });

  it('refuses a refund of an unknown entry, of another user’s charge and of a non-charge', async () => {
    const user = unique('user');
    const g = await grant(user, 100, null);
    const charged = await charge(user, 10);
    for (const [who, of] of [
      [user, 'no-such-charge'],
      [unique('other'), charged],
      [user, g],
    ]) {
      const answer = await refund(who, { event_id: unique('r'), refund_of: of });
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('refund_of_unknown');
    }
    const bad = await refund(user, { event_id: unique('r'), refund_of: charged, amount: 0 });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('amount');
  });

  it('applies exactly 10 of 50 concurrent refunds of a tenth of one charge', async () => {
    const user = unique('user');
    await grant(user, 1_000, null);
    const charged = await charge(user, 1_000);
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        refund(user, { event_id: unique('r'), refund_of: charged, amount: 100 }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 409)).toHaveLength(40);
    expect(await account(user)).toMatchObject({ balance: 1_000, total_refunded: 1_000 });
    await reconciled();
  });

  it('returns the parts of a charge to its two grants, latest drawn first, and expires the expired part again', async () => {
    const user = unique('user');
    const soon = await grant(user, 50, inDays(1));
    const late = await grant(user, 50, inDays(10));
    const charged = await charge(user, 80); // 50 from soon, then 30 from late
    // Latest drawn first: 30 back to late, then 20 to soon.
    const partial = await refund(user, { event_id: unique('r'), refund_of: charged, amount: 40 });
    expect(partial.body.allocations).toEqual([
      { grant: late, amount: 30 },
      { grant: soon, amount: 10 },
    ]);
    await app.db.query(
      `UPDATE grants SET expires_at = now() - interval '1 second' WHERE event_id = $1`,
      [soon],
    );
    const rest = await refund(user, { event_id: unique('r'), refund_of: charged });
    expect(rest.body).toMatchObject({ amount: 40, allocations: [{ grant: soon, amount: 40 }] });
    const written = (await entries(user)).map((e) => [e.source, Number(e.amount)]);
    // The expiry of soon's 10 (given back before it expired), the refund, then its 40 expired again.
    expect(written.slice(-3)).toEqual([
      ['expire', -10],
      ['refund', 40],
      ['expire', -40],
    ]);
    expect(await account(user)).toMatchObject({
      balance: 50,
      total_expired: 50,
      total_refunded: 80,
    });
    expect((await grants(user))[late].remaining).toBe(50);
    await reconciled();
  });

  it('pays the debt first when the charge went into overdraft', async () => {
    const user = unique('user');
    const g = await grant(user, 30, null);
    const charged = await charge(user, 100); // 30 from g, 70 overdraft
    expect(await account(user)).toMatchObject({ balance: -70, blocked: true });
    const first = await refund(user, { event_id: unique('r'), refund_of: charged, amount: 50 });
    expect(first.body.allocations).toEqual([]);
    expect(await account(user)).toMatchObject({ balance: -20, blocked: true });
    const rest = await refund(user, { event_id: unique('r'), refund_of: charged });
    // 20 more overdraft pays the debt, then 30 back to g.
    expect(rest.body).toMatchObject({ amount: 50, allocations: [{ grant: g, amount: 30 }] });
    expect(await account(user)).toMatchObject({ balance: 30, blocked: false, total_refunded: 100 });
    expect((await grants(user))[g].remaining).toBe(30);
    await reconciled();
  });
});
