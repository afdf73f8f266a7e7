import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { useCreditStore } from './support/apps';
import { connect, rows } from './support/db';
import { call } from './support/http';
import { spawnApp, spawnReadyGateway } from './support/spawn-app';
import { TEST_TOKENS } from './support/test-env';
import { eventually, unique } from './support/wait';

/**
 * The security basics, each held by a test: API keys stored only as hashes; the admin, internal
 * and user (API key) surfaces kept apart; and no token or key in the logs, even at the most
 * verbose level. (Constant-time comparison: libs/platform/src/auth/same-secret.spec.ts; body size
 * limits: test/hostile-input.e2e-spec.ts.)
 */
describe('security basics', () => {
  const fixture = useCreditStore();
  let gatewayDb: DataSource;
  let gateway: ReturnType<typeof spawnApp>;
  let url: string;
  let apiKey: string;
  const user = unique('sec-user');

  beforeAll(async () => {
    gatewayDb = await connect(process.env.GATEWAY_DATABASE_URL);
    // Its own process, so that everything it logs can be searched for secrets.
    ({ gateway, url } = await spawnReadyGateway({
      CREDIT_STORE_URL: fixture.store.url,
      LOG_LEVELS: 'error,warn,log,debug,verbose',
    }));
    const issued = await call<{ key: string }>('POST', `${url}/admin/api-keys`, {
      body: { user_id: user, name: 'security test' },
    });
    expect(issued.status).toBe(201);
    apiKey = issued.body.key;
  });
  afterAll(async () => {
    gateway?.child.kill('SIGTERM');
    await gateway?.exited;
    await gatewayDb?.destroy();
  });

  it('stores an API key only as its SHA-256, nowhere as text', async () => {
    const [stored] = await rows<Record<string, unknown>>(
      gatewayDb,
      `SELECT * FROM api_keys WHERE user_id = $1`,
      [user],
    );
    expect(stored.key_hash).toEqual(createHash('sha256').update(apiKey).digest());
    for (const value of Object.values(stored)) {
      expect(String(value)).not.toContain(apiKey.slice(10));
    }
  });

  it.each([
    ['the internal token on the admin surface', 'POST', '/admin/api-keys', 'internal', 403],
    ['the admin token on the user surface', 'GET', '/v1/models', 'admin', 401],
    ['the internal token on the user surface', 'GET', '/v1/models', 'internal', 401],
    ['an API key on the internal surface', 'POST', '/internal/charges', 'key', 401],
    ['an API key on the admin surface', 'POST', '/admin/api-keys', 'key', 401],
  ] as const)('refuses %s', async (_, method, path, as, status) => {
    const answer = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${as === 'key' ? apiKey : TEST_TOKENS[as]}`,
        'content-type': 'application/json',
      },
      body: method === 'POST' ? JSON.stringify({ user_id: user }) : undefined,
    });
    expect(answer.status).toBe(status);
  });

  it('lets each credential into its own surface (the refusals above are not blanket ones)', async () => {
    const models = await fetch(`${url}/v1/models`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(models.status).toBe(200);
    const charge = await call('POST', `${url}/internal/charges`, {
      as: 'internal',
      body: { event_id: unique('sec'), user_id: user, amount: 1, source: 'tts' },
    });
    expect(charge.status).toBe(202);
    // Admin may do everything, the internal surface included.
    const byAdmin = await call('POST', `${url}/internal/charges`, {
      as: 'admin',
      body: { event_id: unique('sec'), user_id: user, amount: 1, source: 'tts' },
    });
    expect(byAdmin.status).toBe(202);
  });

  it.each([
    ['the admin token', '/admin/api-keys', 'admin'],
    ['the internal token', '/internal/balances/someone', 'internal'],
    ['an API key', '/v1/models', 'key'],
    ['an API key with a body', '/v1/chat/completions', 'key'],
  ] as const)('refuses %s with anything after it in the header', async (_, path, as) => {
    const token = as === 'key' ? apiKey : TEST_TOKENS[as];
    const post = path.endsWith('completions');
    const answer = await fetch(`${url}${path}`, {
      method: post ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${token} x`, 'content-type': 'application/json' },
      body: post ? JSON.stringify({ model: 'm', messages: [] }) : undefined,
    });
    expect(answer.status).toBe(401);
  });

  it('keeps the API documentation out of other sites’ frames', async () => {
    for (const path of ['/docs', '/docs/', '/docs-json']) {
      const answer = await fetch(`${url}${path}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-frame-options')).toBe('DENY');
      expect(answer.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    }
  });

  it('never writes a token or an API key to its logs', async () => {
    // A refused key and a malformed header too: the paths that log on failure.
    await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer tly_${'x'.repeat(32)}` } });
    await fetch(`${url}/internal/charges`, { method: 'POST', headers: { authorization: apiKey } });
    // Secrets misplaced in a query string.
    await fetch(`${url}/v1/models?api_key=${apiKey}&limit=1`);
    await fetch(`${url}/admin/api-keys?token=${TEST_TOKENS.admin}`);
    await eventually(() => expect(gateway.output()).toContain('/internal/charges'));
    await eventually(() => expect(gateway.output()).toContain('/admin/api-keys?token=[redacted]'));
    expect(gateway.output()).toContain('/v1/models?api_key=[redacted]&limit=1');
    const output = gateway.output();
    for (const secret of [
      TEST_TOKENS.admin,
      TEST_TOKENS.internal,
      apiKey,
      `tly_${'x'.repeat(32)}`,
    ]) {
      expect(output).not.toContain(secret);
    }
  });
});
