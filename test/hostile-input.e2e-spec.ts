import { Topics } from '@tally/contracts';
import { createKafka } from '@tally/platform';
import { waitConsumed } from '../bench/support/bench-stack';
import { BothAppsFixture, bothApps, RunningApp } from './support/apps';
import { rows } from './support/db';
import { rowCounts } from './support/row-counts';
import { TEST_TOKENS } from './support/test-env';
import { eventually } from './support/wait';

/**
 * Every write endpoint of both apps, read from their own OpenAPI documents (so a new endpoint is
 * covered the day it is added), gets the same hostile matrix: broken JSON, a JSON value that is
 * not an object, a string where a number belongs, numbers beyond 2^53 and 2^63, a field nobody
 * declared, a 10 MB body, no token and a wrong one; every path id gets unicode and SQL
 * metacharacters. Each must answer its documented 4xx with a stable code — never a 5xx — and
 * leave every table of both databases exactly as it was.
 */
type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
interface Operation {
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
}
interface Schema {
  properties?: Record<string, { type?: string; format?: string }>;
}
interface Endpoint {
  app: RunningApp;
  method: Method;
  path: string;
  op: Operation;
  body?: Schema;
}

/**
 * Content no entry point may take, whatever the field (issue 15): each built around one field of
 * the endpoint's body, with the code it must get and the field its message must name.
 */
const HOSTILE_CONTENT: {
  what: string;
  body: (f: string) => string;
  code: string;
  names: (f: string) => string;
}[] = [
  {
    what: 'a NUL in a value',
    body: (f) => `{"${f}":"a\\u0000b"}`,
    code: 'unstorable_text',
    names: (f) => f,
  },
  {
    what: 'a lone surrogate in a value',
    body: (f) => `{"${f}":"x\\ud800y"}`,
    code: 'unstorable_text',
    names: (f) => f,
  },
  {
    what: 'a lone low surrogate in an array',
    body: (f) => `{"${f}":["ok","\\udc00"]}`,
    code: 'unstorable_text',
    names: (f) => `${f}[1]`,
  },
  {
    what: 'a NUL in a nested key',
    body: (f) => `{"${f}":{"a":{"k\\u0000":1}}}`,
    code: 'unstorable_text',
    names: (f) => `${f}.a[`,
  },
  {
    what: 'a lone surrogate in a top-level key',
    body: () => `{"\\ud83d":1}`,
    code: 'unstorable_text',
    names: () => '\\ud83d',
  },
  {
    what: 'JSON nested 5,000 deep',
    body: (f) => `{"${f}":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    code: 'json_too_deep',
    names: (f) => `${f}[0][0]`,
  },
  {
    what: 'a __proto__ key',
    body: (f) => `{"${f}":1,"__proto__":{"admin":true}}`,
    code: 'validation_failed',
    names: () => '__proto__',
  },
  {
    what: 'a top-level constructor key',
    body: () => `{"constructor":1}`,
    code: 'validation_failed',
    names: () => 'constructor',
  },
  {
    what: 'a nested prototype key',
    body: (f) => `{"${f}":{"prototype":1}}`,
    code: 'validation_failed',
    names: (f) => `${f}.prototype`,
  },
];

const HOSTILE_IDS = ["x'; DROP TABLE accounts;--", 'ü😀\u0000', '../../etc/passwd', ' ', '%00'];

/** Both apps' routes as endpoints: each with its app and its body's schema, if it has one. */
function endpointsOf({ store, gateway, routes, schemas }: BothAppsFixture): Endpoint[] {
  return routes.map(({ app, method, path, operation }) => {
    const op = operation as Operation;
    const ref = op.requestBody?.content['application/json']?.schema.$ref;
    return {
      app: app === 'store' ? store : gateway,
      method: method.toLowerCase() as Method,
      path,
      op,
      body: ref ? (schemas[app][ref.split('/').at(-1)!] as Schema) : undefined,
    };
  });
}

/** A user's API key on the gateway under test (its key is checked before any body is read). */
let apiKey: string | undefined;

/** The token the endpoint documents (admin, internal or an API key), else none. */
function tokenFor(endpoint: Endpoint): string | undefined {
  const schemes = (endpoint.op.security ?? []).flatMap((s) => Object.keys(s)).join(' ');
  if (/admin/i.test(schemes)) return TEST_TOKENS.admin;
  if (/internal|service/i.test(schemes)) return TEST_TOKENS.internal;
  if (/api-key/i.test(schemes)) return apiKey;
  return undefined;
}

/** Path ids filled with a harmless value, or with `hostile` for the parameter being attacked. */
function urlOf(endpoint: Endpoint, hostile?: { name: string; value: string }): string {
  const path = endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(hostile?.name === name ? hostile.value : `hostile-${name}-1`),
  );
  return `${endpoint.app.url}${path}`;
}

const isAnthropic = (path: string) => path.startsWith('/v1/messages');

/** Anthropic's error shape has no code of ours: a refused input is its invalid_request_error. */
const codeOnSurface = (path: string, code: string) =>
  isAnthropic(path) ? 'invalid_request_error' : code;

async function send(endpoint: Endpoint, body: string | undefined, token?: string, url?: string) {
  const response = await fetch(url ?? urlOf(endpoint), {
    method: endpoint.method.toUpperCase(),
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body,
  });
  const text = await response.text();
  let parsed: {
    code?: string;
    message?: string;
    error?: { code?: string; type?: string; message?: string };
  } = {};
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    // A refusal that is not JSON fails the code check below.
  }
  // The surface's own shape: Anthropic's `{ error: { type, message } }` under /v1/messages (its
  // type is the stable part), OpenAI's `{ error: { code, message } }` elsewhere under /v1, ours
  // everywhere else.
  const path = new URL(response.url).pathname;
  return {
    status: response.status,
    code: isAnthropic(path)
      ? parsed.error?.type
      : path.startsWith('/v1/')
        ? parsed.error?.code
        : parsed.code,
    message: parsed.message ?? parsed.error?.message ?? '',
  };
}

describe('hostile input on every endpoint', () => {
  const apps = bothApps();
  const databases = () => apps.databases;
  let endpoints: Endpoint[];

  beforeAll(async () => {
    endpoints = endpointsOf(apps);
    const issued = await fetch(`${apps.gateway.url}/admin/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_TOKENS.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_id: 'hostile-input-user' }),
    });
    apiKey = ((await issued.json()) as { key: string }).key;
  });

  /**
   * Row count of every table of both databases but the audit trails: a refused attempt at a change
   * is audited by design (outcome `error` or `denied`).
   */
  const snapshot = () => rowCounts(databases(), ['audit_records']);

  /**
   * The row counts once nothing is still in flight from earlier test files, which share these
   * databases and the broker: the credit-store's balance outbox drained and the gateway's balance
   * view caught up with the topic (its group resumes where the last gateway of the run left off).
   * Without this, a snapshot arriving mid-test looked like a hostile request had written a row.
   */
  async function settledSnapshot(): Promise<Record<string, number>> {
    await eventually(async () => {
      const [{ n }] = await rows<{ n: number }>(
        databases()[1],
        'SELECT count(*)::int AS n FROM balance_outbox',
      );
      if (n > 0) throw new Error(`${n} balance snapshots not yet published`);
    });
    const admin = createKafka('tally-test-hostile', [process.env.KAFKA_BROKERS!]).admin();
    await admin.connect();
    try {
      await waitConsumed(admin, 'ai-gateway-balance-view', Topics.balanceUpdated, 20_000);
    } finally {
      await admin.disconnect();
    }
    return snapshot();
  }

  const writes = () => endpoints.filter((e) => e.body?.properties);

  it('finds the write endpoints of both apps in their documents', () => {
    // Charges, holds, api keys, grants, products, orders, price and reward rules, quotes, rewards...
    expect(writes().length).toBeGreaterThanOrEqual(10);
  });

  it('refuses every hostile body with its 4xx and a stable code, writing nothing', async () => {
    const before = await settledSnapshot();
    const failures: string[] = [];
    const expect4xx = async (
      endpoint: Endpoint,
      what: string,
      body: string | undefined,
      statuses: number[],
      token = tokenFor(endpoint),
    ) => {
      const answer = await send(endpoint, body, token);
      if (!statuses.includes(answer.status) || !answer.code) {
        failures.push(
          `${endpoint.method.toUpperCase()} ${endpoint.path} ${what}: ${answer.status} ${answer.code}`,
        );
      }
    };
    for (const endpoint of writes()) {
      const fields = Object.entries(endpoint.body!.properties!);
      const numeric = fields.filter(([, p]) => p.type === 'number' || p.type === 'integer');
      const aField = fields[0][0];
      await expect4xx(endpoint, 'broken JSON', '{"a":', [400]);
      await expect4xx(endpoint, 'a JSON array', '[]', [400]);
      await expect4xx(endpoint, 'a JSON string', '"x"', [400]);
      await expect4xx(endpoint, 'an undeclared field', '{"no_such_field":1}', [400]);
      // class-transformer throws on a nested `constructor` key (that used to be a 500) and drops a
      // top-level one, so a body of nothing else may get as far as the 404 for a missing id.
      await expect4xx(
        endpoint,
        'a constructor key',
        '{"constructor":{"constructor":1}}',
        endpoint.path.includes('{') ? [400, 404] : [400],
      );
      for (const [name] of fields.filter(([, p]) => p.type === 'object')) {
        await expect4xx(endpoint, `${name}.constructor`, `{"${name}":{"constructor":1}}`, [400]);
      }
      await expect4xx(
        endpoint,
        'a 10 MB body',
        JSON.stringify({ [aField]: 'x'.repeat(10 << 20) }),
        [413],
      );
      for (const [name] of numeric) {
        await expect4xx(endpoint, `${name} as a string`, `{"${name}":"10"}`, [400]);
        await expect4xx(endpoint, `${name} > 2^53`, `{"${name}":9007199254740993}`, [400]);
        await expect4xx(endpoint, `${name} > 2^63`, `{"${name}":9223372036854775808}`, [400]);
        await expect4xx(endpoint, `${name} as 1e400`, `{"${name}":1e400}`, [400]);
      }
      if (tokenFor(endpoint)) {
        await expect4xx(endpoint, 'no token', '{}', [401], '');
        await expect4xx(endpoint, 'a wrong token', '{}', [401], 'not-a-token-0123456789');
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses hostile content in any body, query or path with a 400 naming the field, writing nothing', async () => {
    const before = await settledSnapshot();
    const failures: string[] = [];
    const withBodies: string[] = [];
    const check = async (
      endpoint: Endpoint,
      what: string,
      code: string,
      names: string,
      body?: string,
      url?: string,
    ) => {
      const answer = await send(endpoint, body, tokenFor(endpoint), url);
      if (
        answer.status !== 400 ||
        answer.code !== codeOnSurface(endpoint.path, code) ||
        !answer.message.includes(names)
      ) {
        failures.push(
          `${endpoint.method.toUpperCase()} ${endpoint.path} ${what}: ${answer.status} ${answer.code} ${answer.message.slice(0, 120)}`,
        );
      }
    };
    for (const endpoint of endpoints) {
      // Every body is held to the rule, declared or not (the chat call reads its own).
      if (endpoint.method !== 'get') {
        withBodies.push(`${endpoint.method.toUpperCase()} ${endpoint.path}`);
        const [field] = Object.keys(endpoint.body?.properties ?? { input: {} });
        for (const c of HOSTILE_CONTENT) {
          await check(endpoint, c.what, c.code, c.names(field), c.body(field));
        }
      }
      for (const { name, in: where } of endpoint.op.parameters ?? []) {
        const body = endpoint.body ? '{}' : undefined;
        if (where === 'query') {
          const url = `${urlOf(endpoint)}?${encodeURIComponent(name)}=a%00b`;
          await check(
            endpoint,
            `a NUL in query ${name}`,
            'unstorable_text',
            `query.${name}`,
            body,
            url,
          );
        }
        if (where === 'path') {
          const url = urlOf(endpoint, { name, value: 'a\u0000b' });
          await check(endpoint, `a NUL in path ${name}`, 'unstorable_text', 'path', body, url);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(withBodies).toContain('POST /v1/chat/completions');
    expect(await snapshot()).toEqual(before);
  });

  it('answers hostile path ids with a 4xx, never a 5xx, writing nothing', async () => {
    const before = await settledSnapshot();
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      for (const { name } of (endpoint.op.parameters ?? []).filter((p) => p.in === 'path')) {
        for (const value of HOSTILE_IDS) {
          const answer = await send(
            endpoint,
            endpoint.body ? '{}' : undefined,
            tokenFor(endpoint),
            urlOf(endpoint, { name, value }),
          );
          if (answer.status < 400 || answer.status >= 500) {
            failures.push(
              `${endpoint.method.toUpperCase()} ${endpoint.path} ${name}=${JSON.stringify(value)}: ${answer.status}`,
            );
          }
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });
});
