import { createHash } from 'node:crypto';
import { bothApps, DocumentedRoute } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { rows } from './support/db';
import { call } from './support/http';
import { IssuedPrincipal, issuePrincipal } from './support/principals';
import { tableDigests } from './support/row-counts';
import { TEST_TOKENS } from './support/test-env';
import { eventually, unique } from './support/wait';

type Person = 'finance' | 'support' | 'service';
const PEOPLE: Person[] = ['finance', 'support', 'service'];
const F: Person = 'finance';
const U: Person = 'support';
const S: Person = 'service';

/**
 * Who may call what, written out independently of the decorators: the roles besides admin (who
 * may call everything), `public`, or `api-key` (the /v1 surfaces: principals' tokens are not
 * keys). Every route the apps serve must be here, and nothing else: a new endpoint without a
 * rule fails the first test.
 */
const MATRIX: Record<string, Person[] | 'public' | 'api-key'> = {
  // credit-store
  'store GET /health': 'public',
  'store GET /health/ready': 'public',
  'store GET /metrics': 'public',
  'store GET /products': 'public',
  'store GET /console': 'public',
  'store GET /console/console.js': 'public',
  'store GET /console/console.css': 'public',
  'store GET /accounts/{user_id}': [S, F, U],
  'store GET /accounts/{user_id}/ledger': [S, F, U],
  'store GET /ledger/{event_id}': [S, F, U],
  'store GET /accounts/{user_id}/usage': [S, F, U],
  'store GET /accounts/{user_id}/overview': [S, F, U],
  'store POST /accounts/{user_id}/grants': [U],
  'store POST /accounts/{user_id}/refunds': [U, S],
  'store PUT /accounts/{user_id}/alerts': [],
  'store GET /accounts/{user_id}/auto-topup': [S, F, U],
  'store PUT /accounts/{user_id}/auto-topup': [],
  'store POST /grants/{event_id}/void': [U],
  'store POST /holds': [S],
  'store POST /holds/{hold_id}/void': [S],
  'store GET /holds/{hold_id}': [S, F, U],
  'store POST /orders': [S],
  'store GET /orders/{id}': [S, F, U],
  'store POST /orders/{id}/paid': [],
  'store POST /orders/{id}/refund': [U],
  'store POST /orders/{id}/cancel': [S],
  'store POST /admin/products': [],
  'store GET /admin/products': [F, U],
  'store PATCH /admin/products/{id}': [],
  'store POST /admin/price-rules': [],
  'store GET /admin/price-rules': [S, F, U],
  'store GET /admin/price-rules/{id}': [S, F, U],
  'store PATCH /admin/price-rules/{id}': [],
  'store DELETE /admin/price-rules/{id}': [],
  'store POST /quotes': [S, F, U],
  'store GET /price-rules/models': [S, F, U],
  'store POST /admin/reward-rules': [],
  'store GET /admin/reward-rules': [F, U],
  'store PATCH /admin/reward-rules/{id}': [],
  'store DELETE /admin/reward-rules/{id}': [],
  'store POST /rewards': [S],
  'store POST /admin/jobs/expire-grants': [],
  'store POST /admin/jobs/expire-holds': [],
  'store GET /finance/overview': [F, U],
  'store GET /finance/ledger.csv': [F, U],
  'store GET /finance/summary': [F, U],
  'store GET /finance/revenue': [F, U],
  'store GET /finance/revenue.csv': [F, U],
  'store GET /finance/reconciliation': [F, U],
  'store GET /finance/verify': [F, U],
  'store GET /admin/dead-letters': [F, U],
  'store POST /admin/dead-letters/{id}/redrive': [],
  'store POST /admin/dead-letters/redrive': [],
  'store GET /admin/balance-snapshots/parked': [F, U],
  'store POST /admin/principals': [],
  'store GET /admin/principals': [],
  'store GET /admin/principals/{id}': [],
  'store POST /admin/principals/{id}/revoke': [],
  'store POST /admin/principals/{id}/rotate': [],
  'store POST /principals/resolve': [S],
  'store GET /principals/me': [S, F, U],
  'store GET /admin/audit': [F, U],
  'store GET /admin/audit.csv': [F, U],
  'store POST /admin/webhook-endpoints': [],
  'store GET /admin/webhook-endpoints': [F],
  'store GET /admin/webhook-endpoints/{id}': [F],
  'store PATCH /admin/webhook-endpoints/{id}': [],
  'store DELETE /admin/webhook-endpoints/{id}': [],
  'store POST /admin/webhook-endpoints/{id}/rotate-secret': [],
  'store POST /admin/webhook-endpoints/{id}/test': [],
  'store GET /admin/webhook-endpoints/{id}/deliveries': [F],
  'store POST /admin/webhook-deliveries/{id}/redeliver': [],
  // ai-gateway
  'gateway GET /health': 'public',
  'gateway GET /health/ready': 'public',
  'gateway GET /metrics': 'public',
  'gateway POST /v1/chat/completions': 'api-key',
  'gateway GET /v1/models': 'api-key',
  'gateway POST /v1/responses': 'api-key',
  'gateway GET /v1/responses/{id}': 'api-key',
  'gateway POST /v1/embeddings': 'api-key',
  'gateway POST /v1/messages': 'api-key',
  'gateway POST /v1/messages/count_tokens': 'api-key',
  'gateway GET /v1/me': 'api-key',
  'gateway GET /v1/me/ledger': 'api-key',
  'gateway POST /internal/charges': [S],
  'gateway POST /internal/refunds': [S, U],
  'gateway POST /internal/holds': [S],
  'gateway POST /internal/holds/{id}/void': [S],
  'gateway GET /internal/holds/{id}': [S, F, U],
  'gateway GET /internal/balances/{user_id}': [S, F, U],
  'gateway POST /admin/api-keys': [],
  'gateway GET /admin/api-keys': [F, U],
  'gateway GET /admin/api-keys/{id}': [F, U],
  'gateway PATCH /admin/api-keys/{id}': [],
  'gateway POST /admin/api-keys/{id}/revoke': [],
  'gateway GET /admin/outbox/parked': [F, U],
  'gateway GET /admin/upstreams': [F, U],
};

type Route = Pick<DocumentedRoute, 'app' | 'method' | 'path'>;

const keyOf = (r: Route) => `${r.app} ${r.method} ${r.path}`;

/** The tables that hold money and configuration: [gateway, credit-store] (bothApps' order). */
const MONEY_AND_CONFIG = [
  ['api_keys', 'charges', 'refunds', 'reservations', 'outbox', 'key_spend'],
  [
    'accounts',
    'ledger_entries',
    'grants',
    'holds',
    'orders',
    'products',
    'price_rules',
    'price_rule_versions',
    'reward_rules',
    'principals',
    'principal_daily_spend',
    'dead_letters',
    'waiting_refunds',
    'usage_records',
    'webhook_endpoints',
  ],
] as const;

/** What a valid call needs made first (by the bootstrap admin), fresh for each call. */
interface Given {
  store: string;
  gateway: string;
  /** A principal's token (finance). */
  token: string;
  /** A user with credits (a grant of 1,000). */
  user(): Promise<string>;
  grant(): Promise<string>;
  /** A charge of 10 applied to a fresh user's account (its event id, and the user). */
  charge(): Promise<{ event_id: string; user_id: string }>;
  /** The same, charged through the gateway (whose refunds name its own charges). */
  gatewayCharge(): Promise<string>;
  order(status: 'pending' | 'credited'): Promise<string>;
  product(): Promise<number>;
  priceRule(): Promise<{ id: number; scene: string }>;
  rewardRule(): Promise<{ id: number; source: string }>;
  apiKey(): Promise<string>;
  principal(): Promise<string>;
  hold(): Promise<string>;
  /** A webhook endpoint (on a host that does not resolve here: nothing is ever sent). */
  webhookEndpoint(): Promise<string>;
}

type ValidCall = (
  given: Given,
) => { path: string; body?: unknown } | Promise<{ path: string; body?: unknown }>;

/**
 * A valid call of every write route, which each role the matrix admits (and admin) must see
 * succeed (2xx). A write route missing here fails the test, as a route missing from MATRIX does.
 */
const VALID: Record<string, ValidCall> = {
  'store POST /accounts/{user_id}/grants': () => ({
    path: `/accounts/${unique('rm-user')}/grants`,
    body: { event_id: unique('rm-grant'), amount: 10, source: 'gift' },
  }),
  'store POST /grants/{event_id}/void': async (g) => ({
    path: `/grants/${await g.grant()}/void`,
    body: { reason: 'matrix' },
  }),
  'store POST /accounts/{user_id}/refunds': async (g) => {
    const charged = await g.charge();
    return {
      path: `/accounts/${charged.user_id}/refunds`,
      body: { event_id: unique('rm-refund'), refund_of: charged.event_id, amount: 1 },
    };
  },
  'store PUT /accounts/{user_id}/alerts': async (g) => ({
    path: `/accounts/${await g.user()}/alerts`,
    body: { low_balance: 10 },
  }),
  'store PUT /accounts/{user_id}/auto-topup': async (g) => ({
    path: `/accounts/${await g.user()}/auto-topup`,
    body: { threshold: 10, product_id: await g.product(), max_per_month: 1 },
  }),
  'store POST /holds': async (g) => ({
    path: '/holds',
    body: { user_id: await g.user(), amount: 5 },
  }),
  'store POST /holds/{hold_id}/void': async (g) => ({ path: `/holds/${await g.hold()}/void` }),
  'store POST /orders': async (g) => ({
    path: '/orders',
    body: { user_id: unique('rm-buyer'), product_id: await g.product(), quantity: 1 },
  }),
  'store POST /orders/{id}/paid': async (g) => ({
    path: `/orders/${await g.order('pending')}/paid`,
    body: {},
  }),
  'store POST /orders/{id}/refund': async (g) => ({
    path: `/orders/${await g.order('credited')}/refund`,
    body: {},
  }),
  'store POST /orders/{id}/cancel': async (g) => ({
    path: `/orders/${await g.order('pending')}/cancel`,
  }),
  'store POST /admin/products': () => ({
    path: '/admin/products',
    body: { sku: unique('rm-sku'), name: 'p', credit_amount: 1, price_cent: 1, currency: 'USD' },
  }),
  'store PATCH /admin/products/{id}': async (g) => ({
    path: `/admin/products/${await g.product()}`,
    body: { name: 'renamed' },
  }),
  'store POST /admin/price-rules': () => ({
    path: '/admin/price-rules',
    body: { scene: unique('rm-scene'), mode: 'fixed', credits_per_call: 1 },
  }),
  'store PATCH /admin/price-rules/{id}': async (g) => ({
    path: `/admin/price-rules/${(await g.priceRule()).id}`,
    body: { credits_per_call: 2 },
  }),
  'store DELETE /admin/price-rules/{id}': async (g) => ({
    path: `/admin/price-rules/${(await g.priceRule()).id}`,
  }),
  'store POST /quotes': async (g) => ({
    path: '/quotes',
    body: { scene: (await g.priceRule()).scene, usage: {} },
  }),
  'store POST /admin/reward-rules': () => ({
    path: '/admin/reward-rules',
    body: { source: unique('rm-rw'), name: 'r', amount: 1 },
  }),
  'store PATCH /admin/reward-rules/{id}': async (g) => ({
    path: `/admin/reward-rules/${(await g.rewardRule()).id}`,
    body: { amount: 2 },
  }),
  'store DELETE /admin/reward-rules/{id}': async (g) => ({
    path: `/admin/reward-rules/${(await g.rewardRule()).id}`,
  }),
  'store POST /rewards': async (g) => ({
    path: '/rewards',
    body: {
      event_id: unique('rm-reward'),
      user_id: unique('rm-user'),
      source: (await g.rewardRule()).source,
    },
  }),
  'store POST /admin/jobs/expire-grants': () => ({ path: '/admin/jobs/expire-grants' }),
  'store POST /admin/jobs/expire-holds': () => ({ path: '/admin/jobs/expire-holds' }),
  'store POST /admin/principals': () => ({
    path: '/admin/principals',
    body: { name: unique('rm-principal'), role: 'finance' },
  }),
  'store POST /admin/principals/{id}/revoke': async (g) => ({
    path: `/admin/principals/${await g.principal()}/revoke`,
  }),
  'store POST /admin/principals/{id}/rotate': async (g) => ({
    path: `/admin/principals/${await g.principal()}/rotate`,
    body: { old_token_valid_seconds: 0 },
  }),
  'store POST /principals/resolve': (g) => ({
    path: '/principals/resolve',
    body: { token_sha256: createHash('sha256').update(g.token).digest('hex') },
  }),
  'store POST /admin/webhook-endpoints': () => ({
    path: '/admin/webhook-endpoints',
    body: { url: 'https://hooks.example.com/tally', events: ['balance.low'] },
  }),
  'store PATCH /admin/webhook-endpoints/{id}': async (g) => ({
    path: `/admin/webhook-endpoints/${await g.webhookEndpoint()}`,
    body: { enabled: false },
  }),
  'store DELETE /admin/webhook-endpoints/{id}': async (g) => ({
    path: `/admin/webhook-endpoints/${await g.webhookEndpoint()}`,
  }),
  'store POST /admin/webhook-endpoints/{id}/rotate-secret': async (g) => ({
    path: `/admin/webhook-endpoints/${await g.webhookEndpoint()}/rotate-secret`,
  }),
  'store POST /admin/webhook-endpoints/{id}/test': async (g) => ({
    path: `/admin/webhook-endpoints/${await g.webhookEndpoint()}/test`,
  }),
  'store POST /admin/webhook-deliveries/{id}/redeliver': async (g) => {
    const endpoint = await g.webhookEndpoint();
    const test = await call<{ delivery_id: string }>(
      'POST',
      `${g.store}/admin/webhook-endpoints/${endpoint}/test`,
    );
    return { path: `/admin/webhook-deliveries/${test.body.delivery_id}/redeliver` };
  },
  'gateway POST /internal/charges': async (g) => ({
    path: '/internal/charges',
    body: { event_id: unique('rm-charge'), user_id: await g.user(), source: 'video', amount: 1 },
  }),
  'gateway POST /internal/refunds': async (g) => ({
    path: '/internal/refunds',
    body: { event_id: unique('rm-refund'), refund_of: await g.gatewayCharge(), amount: 1 },
  }),
  'gateway POST /internal/holds': async (g) => ({
    path: '/internal/holds',
    body: { user_id: await g.user(), amount: 5 },
  }),
  'gateway POST /internal/holds/{id}/void': async (g) => ({
    path: `/internal/holds/${await g.hold()}/void`,
  }),
  'gateway POST /admin/api-keys': () => ({
    path: '/admin/api-keys',
    body: { user_id: unique('rm-user'), name: 'matrix' },
  }),
  'gateway PATCH /admin/api-keys/{id}': async (g) => ({
    path: `/admin/api-keys/${await g.apiKey()}`,
    body: { rpm: 100 },
  }),
  'gateway POST /admin/api-keys/{id}/revoke': async (g) => ({
    path: `/admin/api-keys/${await g.apiKey()}/revoke`,
  }),
};

/** Write routes with no valid call here, and why. */
const NOT_CALLED: Record<string, string> = {
  // A redrive needs a dead letter (a message the consumer refused): dead-letter-redrive covers it.
  'store POST /admin/dead-letters/{id}/redrive': 'needs a dead letter (dead-letter-redrive)',
  'store POST /admin/dead-letters/redrive': 'needs a dead letter (dead-letter-redrive)',
};

/**
 * The role matrix, endpoint by endpoint on both apps, from the apps' own route tables (their
 * OpenAPI documents): every role's allowed calls get past the guard, every other call is a 403
 * `forbidden` naming the role needed, audited `denied` with its request id, and changes nothing.
 */
describe('role matrix', () => {
  const apps = bothApps();
  let routes: Route[];
  const tokens = {} as Record<Person, IssuedPrincipal>;

  beforeAll(async () => {
    routes = apps.routes;
    for (const role of PEOPLE) tokens[role] = await issuePrincipal(apps.store.url, role);
  });

  const urlOf = (route: Route) =>
    `${route.app === 'store' ? apps.store.url : apps.gateway.url}${route.path.replace(
      /\{(\w+)\}/g,
      (_, name: string) =>
        name === 'id' && /rules|products/.test(route.path) ? '999999' : `matrix-${name}-1`,
    )}`;

  /** The call with an empty JSON body where one is expected; CSV answers kept as text. */
  const send = async (route: Route, token: string, requestId: string) => {
    const withBody = ['POST', 'PATCH', 'PUT'].includes(route.method);
    const response = await fetch(urlOf(route), {
      method: route.method,
      headers: {
        authorization: `Bearer ${token}`,
        'x-request-id': requestId,
        ...(withBody ? { 'content-type': 'application/json' } : {}),
      },
      body: withBody ? '{}' : undefined,
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('application/json');
    return {
      status: response.status,
      body: (json && text ? JSON.parse(text) : {}) as { code?: string; message?: string },
    };
  };

  it('has a rule for every route of both apps, and no rule for a route that is not there', () => {
    const served = routes.map(keyOf).sort();
    expect(served).toEqual(Object.keys(MATRIX).sort());
  });

  it('refuses every call outside a role with 403 forbidden naming the role, audited denied, changing nothing', async () => {
    const before = await tableDigests(apps.databases, MONEY_AND_CONFIG);
    const failures: string[] = [];
    const denied: { route: Route; role: Person; requestId: string }[] = [];
    for (const route of routes) {
      const rule = MATRIX[keyOf(route)];
      if (!Array.isArray(rule)) continue;
      for (const role of PEOPLE.filter((r) => !rule.includes(r))) {
        const requestId = unique('matrix');
        const answer = await send(route, tokens[role].token, requestId);
        const needed = ['admin', ...rule].join(' or ');
        if (
          answer.status !== 403 ||
          answer.body.code !== 'forbidden' ||
          answer.body.message !== `this endpoint needs the ${needed} role`
        ) {
          failures.push(
            `${keyOf(route)} as ${role}: ${answer.status} ${JSON.stringify(answer.body)}`,
          );
        }
        denied.push({ route, role, requestId });
      }
    }
    expect(failures).toEqual([]);
    expect(await tableDigests(apps.databases, MONEY_AND_CONFIG)).toEqual(before);
    expect(denied.length).toBeGreaterThan(50);

    await eventually(async () => {
      const recorded = await rows<{ request_id: string; outcome: string; actor_id: string }>(
        apps.databases[1],
        `SELECT request_id, outcome, actor_id FROM audit_records WHERE request_id = ANY($1)`,
        [denied.map((d) => d.requestId)],
      );
      const byRequest = new Map(recorded.map((r) => [r.request_id, r]));
      const missing = denied.filter(
        (d) =>
          byRequest.get(d.requestId)?.outcome !== 'denied' ||
          byRequest.get(d.requestId)?.actor_id !== tokens[d.role].id,
      );
      expect(missing.map((d) => `${keyOf(d.route)} as ${d.role}`)).toEqual([]);
    });
  });

  it("lets each role's allowed calls past the guard on both apps (admin everywhere)", async () => {
    const failures: string[] = [];
    for (const route of routes) {
      const rule = MATRIX[keyOf(route)];
      if (!Array.isArray(rule)) continue;
      const callers: [string, string][] = [
        ...rule.map((role): [string, string] => [role, tokens[role].token]),
        ['bootstrap admin', TEST_TOKENS.admin],
      ];
      if (rule.includes(S)) callers.push(['bootstrap service', TEST_TOKENS.internal]);
      for (const [who, token] of callers) {
        const answer = await send(route, token, unique('matrix'));
        if (answer.status === 401 || answer.status === 403 || answer.status >= 500) {
          failures.push(
            `${keyOf(route)} as ${who}: ${answer.status} ${JSON.stringify(answer.body)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
  });

  /** The things valid calls act on, made fresh by the bootstrap admin. */
  const given = (): Given => {
    const store = apps.store.url;
    const gateway = apps.gateway.url;
    const made = async <T>(url: string, body: unknown, status = 201): Promise<T> => {
      const answer = await call<T>('POST', url, { body });
      expect(`${url}: ${answer.status}`).toBe(`${url}: ${status}`);
      return answer.body;
    };
    const g: Given = {
      store,
      gateway,
      token: tokens.finance.token,
      user: async () => {
        const user = unique('rm-user');
        await made(`${store}/accounts/${user}/grants`, {
          event_id: unique('rm-grant'),
          amount: 1000,
          source: 'gift',
        });
        return user;
      },
      grant: async () => {
        const grant = unique('rm-grant');
        await made(`${store}/accounts/${unique('rm-user')}/grants`, {
          event_id: grant,
          amount: 10,
          source: 'gift',
        });
        return grant;
      },
      charge: async () => {
        const user_id = await g.user();
        const event_id = unique('rm-charge');
        await produceCharges(chargeEvent(user_id, 10, event_id));
        await eventually(async () =>
          expect((await call('GET', `${store}/ledger/${event_id}`)).status).toBe(200),
        );
        return { event_id, user_id };
      },
      gatewayCharge: async () => {
        const event_id = unique('rm-charge');
        const body = { event_id, user_id: await g.user(), source: 'video', amount: 10 };
        await made(`${gateway}/internal/charges`, body, 202);
        await eventually(async () =>
          expect((await call('GET', `${store}/ledger/${event_id}`)).status).toBe(200),
        );
        return event_id;
      },
      product: async () =>
        (
          await made<{ id: number }>(`${store}/admin/products`, {
            sku: unique('rm-sku'),
            name: 'p',
            credit_amount: 10,
            price_cent: 100,
            currency: 'USD',
          })
        ).id,
      order: async (status) => {
        const { order_id } = await made<{ order_id: string }>(`${store}/orders`, {
          user_id: unique('rm-buyer'),
          product_id: await g.product(),
          quantity: 1,
        });
        if (status === 'credited') await made(`${store}/orders/${order_id}/paid`, {}, 200);
        return order_id;
      },
      priceRule: async () => {
        const scene = unique('rm-scene');
        const { id } = await made<{ id: number }>(`${store}/admin/price-rules`, {
          scene,
          mode: 'fixed',
          credits_per_call: 1,
        });
        return { id, scene };
      },
      rewardRule: async () => {
        const source = unique('rm-rw');
        const { id } = await made<{ id: number }>(`${store}/admin/reward-rules`, {
          source,
          name: 'r',
          amount: 1,
        });
        return { id, source };
      },
      apiKey: async () =>
        (await made<{ id: string }>(`${gateway}/admin/api-keys`, { user_id: unique('rm-user') }))
          .id,
      principal: async () => (await issuePrincipal(store, 'finance')).id,
      webhookEndpoint: async () =>
        (
          await made<{ id: string }>(`${store}/admin/webhook-endpoints`, {
            url: 'https://hooks.example.com/tally',
            events: ['balance.low'],
          })
        ).id,
      hold: async () =>
        (
          await made<{ hold_id: string }>(`${store}/holds`, {
            user_id: await g.user(),
            amount: 5,
          })
        ).hold_id,
    };
    return g;
  };

  it('lets each role admitted to a write make it, with a valid call that succeeds (2xx)', async () => {
    const failures: string[] = [];
    const served = new Set(routes.map(keyOf));
    for (const key of Object.keys(VALID).filter((k) => !served.has(k))) {
      failures.push(`${key}: a valid call for a route that is not served`);
    }
    const g = given();
    for (const route of routes) {
      const rule = MATRIX[keyOf(route)];
      if (!Array.isArray(rule) || route.method === 'GET' || NOT_CALLED[keyOf(route)]) continue;
      const valid = VALID[keyOf(route)];
      if (!valid) {
        failures.push(`${keyOf(route)}: a write route with no valid call in VALID`);
        continue;
      }
      const callers: [string, string][] = [
        ...rule.map((role): [string, string] => [role, tokens[role].token]),
        ['bootstrap admin', TEST_TOKENS.admin],
      ];
      if (rule.includes(S)) callers.push(['bootstrap service', TEST_TOKENS.internal]);
      for (const [who, token] of callers) {
        const { path, body } = await valid(g);
        const base = route.app === 'store' ? g.store : g.gateway;
        const answer = await call(route.method, `${base}${path}`, { token, body });
        if (answer.status < 200 || answer.status >= 300) {
          failures.push(
            `${keyOf(route)} as ${who}: ${answer.status} ${JSON.stringify(answer.body)}`,
          );
        }
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);

  it('refuses principals on the API-key surfaces (401): a token is not a key', async () => {
    for (const route of routes.filter((r) => MATRIX[keyOf(r)] === 'api-key')) {
      for (const role of PEOPLE) {
        const answer = await send(route, tokens[role].token, unique('matrix'));
        expect(`${keyOf(route)} as ${role}: ${answer.status}`).toBe(
          `${keyOf(route)} as ${role}: 401`,
        );
      }
    }
  });
});
