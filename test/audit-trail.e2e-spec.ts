import { RunningApp, startGateway, useCreditStore } from './support/apps';
import { Topics } from '@tally/contracts';
import { chargeEvent, produceCharges } from './support/charge-events';
import { connect, rows, scalar } from './support/db';
import { call } from './support/http';
import { produce } from './support/kafka-helpers';
import { issuePrincipal } from './support/principals';
import { eventually, unique } from './support/wait';

interface Recorded {
  request_id: string;
  action: string;
  outcome: string;
  status: number;
  actor_id: string;
}

/**
 * The audit trail: one record per change on either app, written in the change's transaction (a
 * change whose record cannot be written does not happen), failures and refusals recorded with
 * their outcome; and support's daily limit, which concurrent grants cannot pass together.
 */
describe('audit trail', () => {
  const fixture = useCreditStore();
  let gateway: RunningApp;
  const store = () => fixture.store.url;

  beforeAll(async () => {
    gateway = await startGateway({ CREDIT_STORE_URL: fixture.store.url });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  const recordsOf = (requestIds: string[]) =>
    rows<Recorded>(
      fixture.db,
      `SELECT request_id, action, outcome, status, actor_id FROM audit_records
        WHERE request_id = ANY($1)`,
      [requestIds],
    );

  it('writes one record for every change on both apps, with its action, actor and outcome', async () => {
    const support = await issuePrincipal(store(), 'support', 100_000);
    const user = unique('audit-user');
    const charged = unique('charge');
    await produceCharges(chargeEvent(user, 30, charged));
    await eventually(async () =>
      expect((await call('GET', `${store()}/ledger/${charged}`)).status).toBe(200),
    );
    const grant = unique('grant');
    const done: { requestId: string; action: string; status: number; as: string }[] = [];
    const change = async (
      action: string,
      method: string,
      url: string,
      body: unknown,
      status: number,
      token?: string,
    ) => {
      const requestId = unique('req');
      const answer = await call<{ id?: string | number; order_id?: string }>(method, url, {
        token,
        body,
        headers: { 'x-request-id': requestId },
      });
      expect(`${action}: ${answer.status}`).toBe(`${action}: ${status}`);
      done.push({ requestId, action, status, as: token ? support.id : 'bootstrap-admin' });
      return answer.body;
    };
    await change(
      'grant.create',
      'POST',
      `${store()}/accounts/${user}/grants`,
      { event_id: grant, amount: 50, source: 'gift' },
      201,
      support.token,
    );
    await change(
      'grant.void',
      'POST',
      `${store()}/grants/${grant}/void`,
      { reason: 'given by mistake' },
      200,
      support.token,
    );
    await change(
      'charge.refund',
      'POST',
      `${store()}/accounts/${user}/refunds`,
      { event_id: unique('rf'), refund_of: charged, amount: 5 },
      201,
      support.token,
    );
    const product = await change(
      'product.create',
      'POST',
      `${store()}/admin/products`,
      { sku: unique('sku'), name: 'p', credit_amount: 10, price_cent: 100, currency: 'USD' },
      201,
    );
    await change(
      'product.update',
      'PATCH',
      `${store()}/admin/products/${product.id}`,
      { name: 'q' },
      200,
    );
    const order = await change(
      'order.create',
      'POST',
      `${store()}/orders`,
      { user_id: user, product_id: product.id, quantity: 1 },
      201,
    );
    await change('order.paid', 'POST', `${store()}/orders/${order.order_id}/paid`, {}, 200);
    await change(
      'order.refund',
      'POST',
      `${store()}/orders/${order.order_id}/refund`,
      {},
      200,
      support.token,
    );
    const rule = await change(
      'price_rule.create',
      'POST',
      `${store()}/admin/price-rules`,
      { scene: unique('scene'), mode: 'fixed', credits_per_call: 2 },
      201,
    );
    await change(
      'price_rule.update',
      'PATCH',
      `${store()}/admin/price-rules/${rule.id}`,
      { credits_per_call: 3 },
      200,
    );
    await change(
      'price_rule.delete',
      'DELETE',
      `${store()}/admin/price-rules/${rule.id}`,
      undefined,
      200,
    );
    await change(
      'reward_rule.create',
      'POST',
      `${store()}/admin/reward-rules`,
      { source: unique('rw'), name: 'r', amount: 1 },
      201,
    );
    await change(
      'job.expire_grants',
      'POST',
      `${store()}/admin/jobs/expire-grants`,
      undefined,
      200,
    );
    const principal = await change(
      'principal.create',
      'POST',
      `${store()}/admin/principals`,
      { name: unique('p'), role: 'finance' },
      201,
    );
    await change(
      'principal.rotate',
      'POST',
      `${store()}/admin/principals/${principal.id}/rotate`,
      {},
      200,
    );
    await change(
      'principal.revoke',
      'POST',
      `${store()}/admin/principals/${principal.id}/revoke`,
      undefined,
      200,
    );
    const key = await change(
      'api_key.create',
      'POST',
      `${gateway.url}/admin/api-keys`,
      { user_id: user },
      201,
    );
    await change(
      'api_key.update',
      'PATCH',
      `${gateway.url}/admin/api-keys/${key.id}`,
      { rpm: 5 },
      200,
    );
    await change(
      'api_key.revoke',
      'POST',
      `${gateway.url}/admin/api-keys/${key.id}/revoke`,
      undefined,
      201,
    );
    const hold = await change(
      'hold.create',
      'POST',
      `${gateway.url}/internal/holds`,
      { user_id: user, amount: 1 },
      201,
    );
    await change(
      'hold.void',
      'POST',
      `${gateway.url}/internal/holds/${(hold as { hold_id: string }).hold_id}/void`,
      undefined,
      200,
    );

    await eventually(async () => {
      const recorded = await recordsOf(done.map((d) => d.requestId));
      expect(
        recorded
          .map((r) => ({
            requestId: r.request_id,
            action: r.action,
            status: r.status,
            as: r.actor_id,
            outcome: r.outcome,
          }))
          .sort((a, b) => a.requestId.localeCompare(b.requestId)),
      ).toEqual(
        done
          .map((d) => ({ ...d, outcome: 'ok' }))
          .sort((a, b) => a.requestId.localeCompare(b.requestId)),
      );
    });
    // A rule's change is recorded with the version it replaced and the one it made.
    const [ruleChange] = await rows<{ before: number; after: number }>(
      fixture.db,
      `SELECT (before->>'version')::int AS before, (after->>'version')::int AS after
         FROM audit_records WHERE action = 'price_rule.update' AND target_id = $1`,
      [String(rule.id)],
    );
    expect(ruleChange).toEqual({ before: 1, after: 2 });
    // The person's ledger entries (grant, void, refund, order refund) each carry the actor.
    const entries = await rows<{ source: string }>(
      fixture.db,
      `SELECT source FROM ledger_entries WHERE actor->>'id' = $1 ORDER BY id`,
      [support.id],
    );
    expect(entries.map((e) => e.source)).toEqual(['gift', 'void', 'refund', 'order_refund']);
  });

  it('keeps each record from audit.records once by id; a malformed one is dead-lettered, not in the way', async () => {
    const key = unique('audit-key');
    const record = {
      schema_version: 1,
      id: unique('rec'),
      at: new Date().toISOString(),
      app: 'ai-gateway',
      actor: { id: 'p-1', name: 'someone', role: 'admin' },
      action: 'api_key.create',
      target: { type: 'account', id: unique('user') },
      request_id: unique('req'),
      outcome: 'ok',
      status: 201,
      before: null,
      after: { user_id: 'x' },
    };
    // All on one key (one partition): the bad ones come first, the good one twice behind them.
    await produce(Topics.auditRecords, [
      { key, value: 'not json' },
      { key, value: JSON.stringify({ ...record, id: unique('rec'), actor: { id: 'p-1' } }) },
      { key, value: JSON.stringify(record) },
      { key, value: JSON.stringify(record) },
    ]);
    await eventually(async () =>
      expect(
        await scalar(fixture.db, 'SELECT count(*) FROM audit_records WHERE id = $1', [record.id]),
      ).toBe(1),
    );
    await eventually(async () => {
      const letters = await rows<{ code: string }>(
        fixture.db,
        `SELECT code FROM dead_letters WHERE source_topic = $1 AND message_key = $2 ORDER BY id`,
        [Topics.auditRecords, Buffer.from(key)],
      );
      expect(letters.map((l) => l.code)).toEqual(['invalid_json', 'validation_failed']);
    });
  });

  it('records a failed change with its outcome, and nothing else changes', async () => {
    const user = unique('audit-user');
    const event_id = unique('grant');
    const requestIds = [unique('req'), unique('req')];
    await call('POST', `${store()}/accounts/${user}/grants`, {
      headers: { 'x-request-id': requestIds[0] },
      body: { event_id, amount: 5, source: 'gift' },
    });
    const conflict = await call('POST', `${store()}/accounts/${user}/grants`, {
      headers: { 'x-request-id': requestIds[1] },
      body: { event_id, amount: 6, source: 'gift' },
    });
    expect(conflict.status).toBe(409);
    const recorded = await recordsOf(requestIds);
    expect(recorded.map((r) => [r.request_id, r.outcome, r.status]).sort()).toEqual(
      [
        [requestIds[0], 'ok', 201],
        [requestIds[1], 'error', 409],
      ].sort(),
    );
  });

  it('makes no change when its record cannot be written: the record is in the same transaction', async () => {
    const user = unique('audit-user');
    // A record of this action now fails to insert, as a full disk or a bug would make it fail.
    await fixture.db.query(
      `ALTER TABLE audit_records ADD CONSTRAINT test_refuse_grants
         CHECK (action <> 'grant.create' OR target_id <> '${user}') NOT VALID`,
    );
    try {
      const answer = await call('POST', `${store()}/accounts/${user}/grants`, {
        body: { event_id: unique('grant'), amount: 5, source: 'gift' },
      });
      expect(answer.status).toBe(500);
    } finally {
      await fixture.db.query(`ALTER TABLE audit_records DROP CONSTRAINT test_refuse_grants`);
    }
    expect(
      await scalar(fixture.db, 'SELECT count(*) FROM ledger_entries WHERE user_id = $1', [user]),
    ).toBe(0);
    expect(await scalar(fixture.db, 'SELECT count(*) FROM grants WHERE user_id = $1', [user])).toBe(
      0,
    );
  });

  it('changes an API key only in the transaction of its record: a record that fails undoes the change', async () => {
    const gatewayDb = await connect(process.env.GATEWAY_DATABASE_URL);
    const user = unique('audit-user');
    const keysOf = () =>
      scalar(gatewayDb, 'SELECT count(*) FROM api_keys WHERE user_id = $1', [user]);
    const recordsOfUser = () =>
      rows<{ outcome: string; status: number }>(
        gatewayDb,
        `SELECT outcome, status FROM audit_records WHERE action = 'api_key.create' AND target_id = $1`,
        [user],
      );
    try {
      // The change's own record (outcome ok) now fails to insert; a record of a failure still can.
      await gatewayDb.query(
        `ALTER TABLE audit_records ADD CONSTRAINT test_refuse_key_records
           CHECK (action <> 'api_key.create' OR target_id <> '${user}' OR outcome <> 'ok') NOT VALID`,
      );
      try {
        const refused = await call('POST', `${gateway.url}/admin/api-keys`, {
          body: { user_id: user },
        });
        expect(refused.status).toBe(500);
      } finally {
        await gatewayDb.query(`ALTER TABLE audit_records DROP CONSTRAINT test_refuse_key_records`);
      }
      expect(await keysOf()).toBe(0);
      await eventually(async () =>
        expect(await recordsOfUser()).toEqual([{ outcome: 'error', status: 500 }]),
      );
      // A change that commits has its record, written with it.
      const made = await call('POST', `${gateway.url}/admin/api-keys`, { body: { user_id: user } });
      expect(made.status).toBe(201);
      expect(await keysOf()).toBe(1);
      expect((await recordsOfUser()).map((r) => r.outcome).sort()).toEqual(['error', 'ok']);
    } finally {
      await gatewayDb.destroy();
    }
  });

  it("never lets 20 concurrent grants pass support's daily limit; the refused are 403 limit_exceeded, audited denied", async () => {
    const support = await issuePrincipal(store(), 'support', 100);
    const users = Array.from({ length: 20 }, () => unique('limit-user'));
    const grants = users.map(() => unique('grant'));
    const answers = await Promise.all(
      users.map((user, i) =>
        call<{ code?: string; message?: string }>('POST', `${store()}/accounts/${user}/grants`, {
          token: support.token,
          body: { event_id: grants[i], amount: 7, source: 'gift' },
        }),
      ),
    );
    const granted = answers.filter((a) => a.status === 201).length;
    const refused = answers.filter((a) => a.status === 403);
    expect(granted).toBe(14);
    expect(refused).toHaveLength(6);
    for (const answer of refused) {
      expect(answer.body.code).toBe('limit_exceeded');
      expect(answer.body.message).toMatch(/2 left today/);
    }
    const total = await scalar(
      fixture.db,
      `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE actor->>'id' = $1`,
      [support.id],
    );
    expect(total).toBe(98);
    expect(
      await scalar(
        fixture.db,
        `SELECT count(*) FROM audit_records WHERE actor_id = $1 AND outcome = 'denied' AND status = 403`,
        [support.id],
      ),
    ).toBe(6);
    // A void counts against the same limit: 7 credits when 2 are left is refused, nothing voided.
    const voided = await call<{ code?: string }>(
      'POST',
      `${store()}/grants/${grants[answers.findIndex((a) => a.status === 201)]}/void`,
      { token: support.token, body: {} },
    );
    expect(voided.status).toBe(403);
    expect(voided.body.code).toBe('limit_exceeded');
    expect(
      await scalar(fixture.db, `SELECT count(*) FROM ledger_entries WHERE actor->>'id' = $1`, [
        support.id,
      ]),
    ).toBe(14);
  });
});
