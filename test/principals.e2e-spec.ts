import { createHash } from 'node:crypto';
import { RunningApp, startGateway, useCreditStore } from './support/apps';
import { rows, scalar } from './support/db';
import { call } from './support/http';
import { issuePrincipal } from './support/principals';
import { eventually, unique } from './support/wait';

interface AuditItem {
  actor: { id: string; name: string; role: string };
  action: string;
  target: { type: string; id: string | null };
  request_id: string;
  outcome: string;
  status: number;
  before: unknown;
  after: unknown;
}

/**
 * Principals: named tokens, one role each, stored as SHA-256, on both apps; revocation and
 * rotation seen by the credit-store at once and by two gateways within 5 s; bad input refused
 * with nothing written; the bootstrap tokens still working as principals.
 */
describe('principals', () => {
  const fixture = useCreditStore();
  let gateways: RunningApp[];
  const store = () => fixture.store.url;

  beforeAll(async () => {
    gateways = [
      await startGateway({ CREDIT_STORE_URL: fixture.store.url }),
      await startGateway({ CREDIT_STORE_URL: fixture.store.url, OUTBOX_RELAY_ENABLED: '0' }),
    ];
  });
  afterAll(async () => {
    for (const gateway of gateways ?? []) await gateway.close();
  });

  it('issues a token once, stores only its SHA-256, and never shows it again', async () => {
    const principal = await issuePrincipal(store(), 'finance');
    expect(principal.token.length).toBeGreaterThanOrEqual(32);
    expect(principal.role).toBe('finance');
    const [stored] = await rows<Record<string, unknown>>(
      fixture.db,
      'SELECT * FROM principals WHERE id = $1',
      [principal.id],
    );
    expect(stored.token_sha256).toEqual(createHash('sha256').update(principal.token).digest());
    for (const value of Object.values(stored)) {
      expect(String(value)).not.toContain(principal.token.slice(8));
    }
    const list = await call<Record<string, unknown>[]>('GET', `${store()}/admin/principals`);
    const one = await call<Record<string, unknown>>(
      'GET',
      `${store()}/admin/principals/${principal.id}`,
    );
    expect(JSON.stringify([list.body, one.body])).not.toContain(principal.token);
    expect(one.body).toMatchObject({ id: principal.id, name: principal.name, role: 'finance' });
    expect(one.body).not.toHaveProperty('token');
  });

  it('authenticates a principal on both apps; a wrong role is 403 naming the role, unknown 401', async () => {
    const finance = await issuePrincipal(store(), 'finance');
    const user = unique('p-user');
    expect(
      (await call('GET', `${store()}/accounts/${user}`, { token: finance.token })).status,
    ).toBe(200);
    expect(
      (await call('GET', `${gateways[0].url}/internal/balances/${user}`, { token: finance.token }))
        .status,
    ).toBe(200);
    const refused = await call<{ code: string; message: string }>(
      'POST',
      `${store()}/accounts/${user}/grants`,
      { token: finance.token, body: { event_id: unique('g'), amount: 5, source: 'gift' } },
    );
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden');
    expect(refused.body.message).toMatch(/admin or support role/);
    const onGateway = await call<{ code: string; message: string }>(
      'POST',
      `${gateways[0].url}/admin/api-keys`,
      { token: finance.token, body: { user_id: user } },
    );
    expect(onGateway.status).toBe(403);
    expect(onGateway.body.message).toMatch(/admin role/);
    for (const url of [
      `${store()}/admin/balance-snapshots/parked`,
      `${gateways[0].url}/admin/outbox/parked`,
    ]) {
      const unknown = await call('GET', url, { token: `tlp_${'x'.repeat(43)}` });
      expect(unknown.status).toBe(401);
    }
    expect(
      await scalar(fixture.db, 'SELECT count(*) FROM ledger_entries WHERE user_id = $1', [user]),
    ).toBe(0);
  });

  it.each([
    ['an unknown role', { name: 'n', role: 'root' }, 'role'],
    ['an empty name', { name: '', role: 'finance' }, 'name'],
    ['a 201-character name', { name: 'x'.repeat(201), role: 'finance' }, 'name'],
    ['a negative daily_limit', { name: 'n', role: 'support', daily_limit: -1 }, 'daily_limit'],
    ['support without a daily_limit', { name: 'n', role: 'support' }, 'daily_limit'],
    ['a daily_limit for finance', { name: 'n', role: 'finance', daily_limit: 5 }, 'daily_limit'],
  ])('refuses %s with a 400 naming the field, creating nothing', async (_what, body, field) => {
    const before = await scalar(fixture.db, 'SELECT count(*) FROM principals');
    const answer = await call<{ code: string; message: string; details?: string[] }>(
      'POST',
      `${store()}/admin/principals`,
      { body: { ...body, name: body.name === 'n' ? unique('bad') : body.name } },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('validation_failed');
    expect(JSON.stringify(answer.body)).toContain(field);
    expect(await scalar(fixture.db, 'SELECT count(*) FROM principals')).toBe(before);
  });

  it('revokes idempotently, and both gateways and the credit-store refuse the token within 5 s', async () => {
    const support = await issuePrincipal(store(), 'support', 100);
    const user = unique('p-user');
    for (const gateway of gateways) {
      expect(
        (await call('GET', `${gateway.url}/internal/balances/${user}`, { token: support.token }))
          .status,
      ).toBe(200);
    }
    const first = await call<{ revoked_at: string }>(
      'POST',
      `${store()}/admin/principals/${support.id}/revoke`,
    );
    const second = await call<{ revoked_at: string }>(
      'POST',
      `${store()}/admin/principals/${support.id}/revoke`,
    );
    const revokedAt = Date.now();
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.revoked_at).toBe(first.body.revoked_at);
    expect(
      (await call('GET', `${store()}/accounts/${user}`, { token: support.token })).status,
    ).toBe(401);
    for (const gateway of gateways) {
      await eventually(
        async () =>
          expect(
            (
              await call('GET', `${gateway.url}/internal/balances/${user}`, {
                token: support.token,
              })
            ).status,
          ).toBe(401),
        { timeoutMs: 5000 },
      );
    }
    expect(Date.now() - revokedAt).toBeLessThan(5000);
    expect((await call('POST', `${store()}/admin/principals/${unique('no')}/revoke`)).status).toBe(
      404,
    );
  });

  it('rotates: the old token works for old_token_valid_seconds (0: refused at once, everywhere within 5 s)', async () => {
    const finance = await issuePrincipal(store(), 'finance');
    const user = unique('p-user');
    const kept = await call<{ token: string; old_token_expires_at: string }>(
      'POST',
      `${store()}/admin/principals/${finance.id}/rotate`,
      { body: {} },
    );
    expect(kept.status).toBe(200);
    expect(kept.body.token).not.toBe(finance.token);
    const expiresIn = Date.parse(kept.body.old_token_expires_at) - Date.now();
    expect(expiresIn).toBeGreaterThan(86_300_000);
    expect(expiresIn).toBeLessThanOrEqual(86_400_000);
    for (const token of [finance.token, kept.body.token]) {
      expect((await call('GET', `${store()}/accounts/${user}`, { token })).status).toBe(200);
    }
    for (const gateway of gateways) {
      expect(
        (await call('GET', `${gateway.url}/internal/balances/${user}`, { token: kept.body.token }))
          .status,
      ).toBe(200);
    }
    const now = await call<{ token: string }>(
      'POST',
      `${store()}/admin/principals/${finance.id}/rotate`,
      { body: { old_token_valid_seconds: 0 } },
    );
    const rotatedAt = Date.now();
    expect(
      (await call('GET', `${store()}/accounts/${user}`, { token: kept.body.token })).status,
    ).toBe(401);
    expect(
      (await call('GET', `${store()}/accounts/${user}`, { token: finance.token })).status,
    ).toBe(401);
    expect(
      (await call('GET', `${store()}/accounts/${user}`, { token: now.body.token })).status,
    ).toBe(200);
    for (const gateway of gateways) {
      await eventually(
        async () =>
          expect(
            (
              await call('GET', `${gateway.url}/internal/balances/${user}`, {
                token: kept.body.token,
              })
            ).status,
          ).toBe(401),
        { timeoutMs: 5000 },
      );
      expect(
        (await call('GET', `${gateway.url}/internal/balances/${user}`, { token: now.body.token }))
          .status,
      ).toBe(200);
    }
    expect(Date.now() - rotatedAt).toBeLessThan(5000);
  });

  it("shows a support agent's grant in the audit trail with its actor and request id, and on its ledger entry", async () => {
    const support = await issuePrincipal(store(), 'support', 1000);
    const user = unique('p-user');
    const requestId = unique('req');
    const event_id = unique('grant');
    const granted = await call<{ actor: unknown }>('POST', `${store()}/accounts/${user}/grants`, {
      token: support.token,
      headers: { 'x-request-id': requestId },
      body: { event_id, amount: 40, source: 'gift' },
    });
    expect(granted.status).toBe(201);
    expect(granted.body.actor).toEqual({ id: support.id, name: support.name });
    const entry = await call<{ actor: unknown }>('GET', `${store()}/ledger/${event_id}`);
    expect(entry.body.actor).toEqual({ id: support.id, name: support.name });
    const trail = await call<{ items: AuditItem[] }>(
      'GET',
      `${store()}/admin/audit?actor=${support.name}`,
      { token: support.token },
    );
    expect(trail.body.items).toEqual([
      expect.objectContaining({
        actor: { id: support.id, name: support.name, role: 'support' },
        action: 'grant.create',
        target: { type: 'account', id: user },
        request_id: requestId,
        outcome: 'ok',
        status: 201,
      }),
    ]);
  });

  it('keeps audit records append-only: UPDATE and DELETE are refused', async () => {
    await issuePrincipal(store(), 'finance');
    await expect(fixture.db.query(`UPDATE audit_records SET outcome = 'error'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(fixture.db.query(`DELETE FROM audit_records`)).rejects.toThrow(/append-only/);
  });
});
