import { ErrorCode } from '../errors/error-code';
import { parseRefundRequested } from './parse-refund-requested';
import { REFUND_REQUESTED_EVENT_TYPE } from './refund-requested.event';

const refund = (payload: Record<string, unknown> = {}) => ({
  event_id: 'refund-1',
  event_type: REFUND_REQUESTED_EVENT_TYPE,
  schema_version: 1,
  occurred_at: '2026-11-28T10:00:00.000Z',
  producer: 'ai-gateway',
  payload: { user_id: 'alice', refund_of: 'charge-1', amount: 5, ...payload },
});

const DEEP = `${'{"a":'.repeat(5_000)}{}${'}'.repeat(5_000)}`;

describe('parseRefundRequested', () => {
  it('reads a refund message', () => {
    const parsed = parseRefundRequested(JSON.stringify(refund({ reason: 'job failed' })));
    expect(parsed).toMatchObject({ ok: true, event: { payload: { refund_of: 'charge-1' } } });
  });

  it('holds refunds to the same edge rule as charges: dead-lettered, never a database error', () => {
    const cases: [string, ErrorCode][] = [
      [JSON.stringify(refund({ reason: 'a\u0000b' })), ErrorCode.UnstorableText],
      [JSON.stringify(refund({ metadata: { 'k\ud800': 1 } })), ErrorCode.UnstorableText],
      [JSON.stringify(refund({ metadata: 'DEEP' })).replace('"DEEP"', DEEP), ErrorCode.JsonTooDeep],
    ];
    for (const [message, code] of cases) {
      expect(parseRefundRequested(message)).toMatchObject({ ok: false, code });
    }
  });

  it('refuses an occurred_at without its offset', () => {
    const parsed = parseRefundRequested(
      JSON.stringify({ ...refund(), occurred_at: '2026-11-28T10:00:00' }),
    );
    expect(parsed).toMatchObject({ ok: false, code: ErrorCode.ValidationFailed });
  });
});
