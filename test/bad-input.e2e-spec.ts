import type { DataSource } from 'typeorm';
import { RunningApp, startCreditStore, startGateway } from './support/apps';
import { connect, scalar } from './support/db';
import { call } from './support/http';
import { unique } from './support/wait';

type Role = 'admin' | 'internal' | 'none';
interface BadCase {
  name: string;
  as?: Role;
  body?: unknown;
  headers?: Record<string, string>;
  status: number;
  code: string;
  /** A field the message must name. */
  mentions?: string;
}

const validCharge = () => ({
  event_id: unique('charge'),
  user_id: unique('user'),
  amount: 10,
  source: 'chat',
});
/** `{ a: { a: ... 1 } }`, `levels` objects deep. */
const nested = (levels: number): Record<string, unknown> =>
  levels === 1 ? { a: 1 } : { a: nested(levels - 1) };
const validGrant = () => ({ event_id: unique('grant'), amount: 10, source: 'purchase' });

const chargeCases: BadCase[] = [
  { name: 'no token', as: 'none', body: validCharge(), status: 401, code: 'unauthorized' },
  {
    name: 'a wrong token',
    body: validCharge(),
    headers: { authorization: 'Bearer nope-nope-nope-nope' },
    status: 401,
    code: 'unauthorized',
  },
  {
    name: 'a missing amount',
    body: { ...validCharge(), amount: undefined },
    status: 400,
    code: 'validation_failed',
    mentions: 'amount',
  },
  {
    name: 'a missing user_id',
    body: { ...validCharge(), user_id: undefined },
    status: 400,
    code: 'validation_failed',
    mentions: 'user_id',
  },
  {
    name: 'a missing event_id',
    body: { ...validCharge(), event_id: undefined },
    status: 400,
    code: 'validation_failed',
    mentions: 'event_id',
  },
  {
    name: 'an amount as a string',
    body: { ...validCharge(), amount: '10' },
    status: 400,
    code: 'validation_failed',
    mentions: 'amount',
  },
  {
    name: 'a negative amount',
    body: { ...validCharge(), amount: -5 },
    status: 400,
    code: 'validation_failed',
    mentions: 'amount',
  },
  {
    name: 'a zero amount',
    body: { ...validCharge(), amount: 0 },
    status: 400,
    code: 'validation_failed',
    mentions: 'amount',
  },
  {
    name: 'a fractional amount',
    body: { ...validCharge(), amount: 1.5 },
    status: 400,
    code: 'validation_failed',
    mentions: 'amount',
  },
  {
    name: 'an amount beyond the cap',
    body: { ...validCharge(), amount: 2 ** 60 },
    status: 400,
    code: 'validation_failed',
    mentions: 'amount',
  },
  {
    name: 'an unknown field',
    body: { ...validCharge(), amout: 10 },
    status: 400,
    code: 'validation_failed',
    mentions: 'amout',
  },
  {
    name: 'a reserved source',
    body: { ...validCharge(), source: 'purchase' },
    status: 400,
    code: 'validation_failed',
    mentions: 'source',
  },
  {
    name: 'metadata that is not an object',
    body: { ...validCharge(), metadata: [1] },
    status: 400,
    code: 'validation_failed',
    mentions: 'metadata',
  },
  {
    name: 'an event_id with spaces',
    body: { ...validCharge(), event_id: 'a b' },
    status: 400,
    code: 'validation_failed',
    mentions: 'event_id',
  },
  // Issue 15's findings: each reached PostgreSQL and came back a 500, or (__proto__) a 202.
  {
    name: 'a NUL in description',
    body: { ...validCharge(), description: 'a\u0000b' },
    status: 400,
    code: 'unstorable_text',
    mentions: 'description',
  },
  {
    name: 'a NUL in a key of metadata',
    body: { ...validCharge(), metadata: { 'k\u0000': 1 } },
    status: 400,
    code: 'unstorable_text',
    mentions: 'metadata',
  },
  {
    name: 'a lone surrogate in source_ref_id',
    body: { ...validCharge(), source_ref_id: 'x\ud800y' },
    status: 400,
    code: 'unstorable_text',
    mentions: 'source_ref_id',
  },
  {
    name: 'metadata nested 5,000 deep',
    body: `{"event_id":"e-deep","user_id":"u-deep","amount":1,"source":"chat","metadata":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
    status: 400,
    code: 'json_too_deep',
    mentions: 'metadata.a.a',
  },
  {
    name: 'metadata nested 17 deep (free-form JSON stops at 16)',
    body: { ...validCharge(), metadata: nested(17) },
    status: 400,
    code: 'validation_failed',
    mentions: 'metadata',
  },
  {
    name: 'a __proto__ key beside valid fields',
    body: { ...validCharge(), ['__proto__']: { admin: true } },
    status: 400,
    code: 'validation_failed',
    mentions: '__proto__',
  },
  {
    name: 'a prototype key in metadata',
    body: { ...validCharge(), metadata: { prototype: 1 } },
    status: 400,
    code: 'validation_failed',
    mentions: 'metadata.prototype',
  },
  { name: 'broken JSON', body: '{"event_id": ', status: 400, code: 'invalid_json' },
  {
    name: 'an oversized body',
    body: { ...validCharge(), description: 'x'.repeat(3 * 1024 * 1024) },
    status: 413,
    code: 'payload_too_large',
  },
];

const grantCases: BadCase[] = [
  { name: 'no token', as: 'none', body: validGrant(), status: 401, code: 'unauthorized' },
  {
    name: 'the service token (grants need admin)',
    as: 'internal',
    body: validGrant(),
    status: 403,
    code: 'forbidden',
  },
  {
    name: 'a missing amount',
    body: { ...validGrant(), amount: undefined },
    status: 400,
    code: 'validation_failed',
    mentions: 'amount',
  },
  {
    name: 'a negative amount',
    body: { ...validGrant(), amount: -1 },
    status: 400,
    code: 'validation_failed',
    mentions: 'amount',
  },
  {
    name: 'a fractional amount',
    body: { ...validGrant(), amount: 0.5 },
    status: 400,
    code: 'validation_failed',
    mentions: 'amount',
  },
  {
    name: 'an amount as a string',
    body: { ...validGrant(), amount: '5' },
    status: 400,
    code: 'validation_failed',
    mentions: 'amount',
  },
  {
    name: 'an unknown source',
    body: { ...validGrant(), source: 'lottery' },
    status: 400,
    code: 'validation_failed',
    mentions: 'source',
  },
  {
    name: 'an unknown field',
    body: { ...validGrant(), expires: '2030-01-01T00:00:00Z' },
    status: 400,
    code: 'validation_failed',
    mentions: 'expires',
  },
  {
    name: 'expires_at in the past',
    body: { ...validGrant(), expires_at: '2020-01-01T00:00:00Z' },
    status: 400,
    code: 'validation_failed',
    mentions: 'expires_at',
  },
  {
    name: 'expires_at that is not a timestamp',
    body: { ...validGrant(), expires_at: 'tomorrow' },
    status: 400,
    code: 'validation_failed',
    mentions: 'expires_at',
  },
  {
    name: 'an event_id in the ledger’s own tally: namespace',
    body: { ...validGrant(), event_id: 'tally:expire:g1' },
    status: 400,
    code: 'validation_failed',
    mentions: 'event_id',
  },
  { name: 'broken JSON', body: '[', status: 400, code: 'invalid_json' },
  {
    name: 'an oversized body',
    body: { ...validGrant(), description: 'x'.repeat(300 * 1024) },
    status: 413,
    code: 'payload_too_large',
  },
];

describe('bad input is refused with a stable code and writes nothing', () => {
  let gateway: RunningApp;
  let store: RunningApp;
  let gatewayDb: DataSource;
  let storeDb: DataSource;

  beforeAll(async () => {
    store = await startCreditStore();
    gateway = await startGateway();
    gatewayDb = await connect(process.env.GATEWAY_DATABASE_URL);
    storeDb = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(async () => {
    await gatewayDb?.destroy();
    await storeDb?.destroy();
    await gateway?.close();
    await store?.close();
  });

  const rowCounts = async () => ({
    charges: await scalar(gatewayDb, `SELECT count(*)::int AS n FROM charges`),
    outbox: await scalar(gatewayDb, `SELECT count(*)::int AS n FROM outbox`),
    accounts: await scalar(storeDb, `SELECT count(*)::int AS n FROM accounts`),
    entries: await scalar(storeDb, `SELECT count(*)::int AS n FROM ledger_entries`),
  });

  async function expectRefused(url: string, c: BadCase) {
    const before = await rowCounts();
    const answer = await call<{ statusCode: number; code: string; message: string }>('POST', url, {
      as: c.as ?? (url.includes('/internal/') ? 'internal' : 'admin'),
      body: c.body,
      headers: c.headers,
    });
    expect(answer.status).toBe(c.status);
    expect(answer.body).toMatchObject({ statusCode: c.status, code: c.code });
    expect(typeof answer.body.message).toBe('string');
    if (c.mentions) expect(answer.body.message).toContain(c.mentions);
    expect(await rowCounts()).toEqual(before);
  }

  it.each(chargeCases)('POST /internal/charges with $name → $status $code', (c) =>
    expectRefused(`${gateway.url}/internal/charges`, c),
  );

  it.each(grantCases)('POST /accounts/{user_id}/grants with $name → $status $code', (c) =>
    expectRefused(`${store.url}/accounts/${unique('user')}/grants`, c),
  );

  it('refuses a grant to an invalid user_id in the path', () =>
    expectRefused(`${store.url}/accounts/${encodeURIComponent('bad user')}/grants`, {
      name: 'bad path',
      body: validGrant(),
      status: 400,
      code: 'validation_failed',
      mentions: 'user_id',
    }));

  it('refuses a conflicting grant with 409 and keeps the first one', async () => {
    const user = unique('user');
    const grant = validGrant();
    expect(
      (await call('POST', `${store.url}/accounts/${user}/grants`, { body: grant })).status,
    ).toBe(201);
    await expectRefused(`${store.url}/accounts/${user}/grants`, {
      name: 'conflict',
      body: { ...grant, amount: 11 },
      status: 409,
      code: 'event_id_conflict',
      mentions: grant.event_id,
    });
    const again = await call('POST', `${store.url}/accounts/${user}/grants`, { body: grant });
    expect(again).toMatchObject({
      status: 201,
      body: { event_id: grant.event_id, amount: 10, balance_after: 10 },
    });
  });

  it.each([
    ['GET /accounts/{id} without a token', 'none', '/accounts/u1', 401, 'unauthorized'],
    ['GET /accounts/{id} with a bad id', 'admin', '/accounts/%20x', 400, 'validation_failed'],
    [
      'GET /accounts/{id}/ledger with limit=0',
      'admin',
      '/accounts/u1/ledger?limit=0',
      400,
      'validation_failed',
    ],
    [
      'GET /accounts/{id}/ledger with limit=abc',
      'admin',
      '/accounts/u1/ledger?limit=abc',
      400,
      'validation_failed',
    ],
    [
      'GET /accounts/{id}/ledger with a forged cursor',
      'admin',
      '/accounts/u1/ledger?cursor=abc',
      400,
      'validation_failed',
    ],
    [
      'GET /accounts/{id}/ledger with a bad date',
      'admin',
      '/accounts/u1/ledger?from=yesterday',
      400,
      'validation_failed',
    ],
    [
      'GET /accounts/{id}/ledger with an unknown parameter',
      'admin',
      '/accounts/u1/ledger?page=2',
      400,
      'validation_failed',
    ],
    ['GET /ledger/{event_id} without a token', 'none', '/ledger/e1', 401, 'unauthorized'],
  ] as const)('%s (%s %s) → %i %s', async (_name, as, path, status, code) => {
    const answer = await call('GET', `${store.url}${path}`, { as });
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ statusCode: status, code });
  });
});
