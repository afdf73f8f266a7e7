import { parseAuditRecord } from './parse-audit-record';

const record = {
  schema_version: 1,
  id: '0193a1b2-0000-7000-8000-000000000001',
  at: '2026-12-06T04:00:00.000Z',
  app: 'ai-gateway',
  actor: { id: 'p-1', name: 'ops', role: 'admin' },
  action: 'api_key.create',
  target: { type: 'account', id: 'alice' },
  request_id: 'req-1',
  outcome: 'ok',
  status: 201,
  before: null,
  after: { user_id: 'alice', rpm: 5 },
};

describe('parseAuditRecord', () => {
  it('takes a gateway record, nulls and any before/after JSON included', () => {
    expect(parseAuditRecord(JSON.stringify(record))).toEqual({ ok: true, event: record });
    const bare = { ...record, target: { type: 'route', id: null }, request_id: null };
    expect(parseAuditRecord(JSON.stringify(bare)).ok).toBe(true);
  });

  it.each([
    ['no JSON', 'nope', 'invalid_json'],
    ['an actor without a role', { ...record, actor: { id: 'p', name: 'p' } }, 'validation_failed'],
    ['an unknown outcome', { ...record, outcome: 'maybe' }, 'validation_failed'],
    ["the credit-store's own app", { ...record, app: 'credit-store' }, 'validation_failed'],
    ['an unknown field', { ...record, extra: 1 }, 'validation_failed'],
    ['a NUL in the action', { ...record, action: 'a\u0000b' }, undefined],
    ['another schema version', { ...record, schema_version: 2 }, 'unsupported_schema_version'],
  ])('refuses %s', (_name, value, code) => {
    const parsed = parseAuditRecord(typeof value === 'string' ? value : JSON.stringify(value));
    expect(parsed.ok).toBe(false);
    if (code && !parsed.ok) expect(parsed.code).toBe(code);
  });
});
