import type { OpenAPIObject } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { RunningApp, startCreditStore, startGateway } from './support/apps';
import { connect, rows } from './support/db';
import { IssuedPrincipal, issuePrincipal } from './support/principals';
import { rowCounts } from './support/row-counts';
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
  'gateway POST /internal/refunds': [S],
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
};

interface Route {
  app: 'store' | 'gateway';
  method: string;
  path: string;
}

async function routesOf(app: RunningApp, name: Route['app']): Promise<Route[]> {
  const document = (await (await fetch(`${app.url}/docs-json`)).json()) as OpenAPIObject;
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item as object).map((method) => ({
      app: name,
      method: method.toUpperCase(),
      path,
    })),
  );
}

const keyOf = (r: Route) => `${r.app} ${r.method} ${r.path}`;

/**
 * The role matrix, endpoint by endpoint on both apps, from the apps' own route tables (their
 * OpenAPI documents): every role's allowed calls get past the guard, every other call is a 403
 * `forbidden` naming the role needed, audited `denied` with its request id, and changes nothing.
 */
describe('role matrix', () => {
  let store: RunningApp;
  let gateway: RunningApp;
  let databases: DataSource[];
  let routes: Route[];
  const tokens = {} as Record<Person, IssuedPrincipal>;

  beforeAll(async () => {
    store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
    gateway = await startGateway({ CREDIT_STORE_URL: store.url });
    databases = await Promise.all([
      connect(process.env.GATEWAY_DATABASE_URL),
      connect(process.env.CREDIT_STORE_DATABASE_URL),
    ]);
    routes = [...(await routesOf(store, 'store')), ...(await routesOf(gateway, 'gateway'))];
    for (const role of PEOPLE) tokens[role] = await issuePrincipal(store.url, role);
  });
  afterAll(async () => {
    await Promise.all((databases ?? []).map((db) => db.destroy()));
    await gateway?.close();
    await store?.close();
  });

  const urlOf = (route: Route) =>
    `${route.app === 'store' ? store.url : gateway.url}${route.path.replace(
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
    const before = await rowCounts(databases, ['audit_records']);
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
    expect(await rowCounts(databases, ['audit_records'])).toEqual(before);
    expect(denied.length).toBeGreaterThan(50);

    await eventually(async () => {
      const recorded = await rows<{ request_id: string; outcome: string; actor_id: string }>(
        databases[1],
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
