import { randomInt } from 'node:crypto';
import { ErrorCode } from '@tally/contracts';
import { WorkloadShape, chargeEnvelope, pickUser } from '../../../bench/support/workload';

export interface MalformedMessage {
  key: string;
  value: string | null;
  /** The dlq-code the credit-store must give it. */
  code: ErrorCode;
}

/** An envelope seen as loose JSON, so that tests can break it in ways its type forbids. */
type Breakable = { [field: string]: unknown; payload?: Record<string, unknown> };

/** Ways a message can be broken, each with the code its dead letter must carry. */
const BREAKAGES: { code: ErrorCode; make: (envelope: Breakable, n: number) => string | null }[] = [
  { code: ErrorCode.InvalidJson, make: (e, n) => `${JSON.stringify(e).slice(0, 40)} #${n}` },
  { code: ErrorCode.InvalidJson, make: () => null },
  { code: ErrorCode.InvalidJson, make: () => '' },
  { code: ErrorCode.ValidationFailed, make: (_e, n) => `[${n}]` },
  { code: ErrorCode.ValidationFailed, make: (e) => json(e, (x) => (x.payload!.amount = '12')) },
  { code: ErrorCode.ValidationFailed, make: (e) => json(e, (x) => (x.payload!.amount = 2.5)) },
  { code: ErrorCode.ValidationFailed, make: (e) => json(e, (x) => (x.payload!.amount = -5)) },
  { code: ErrorCode.ValidationFailed, make: (e) => json(e, (x) => (x.payload!.amount = 0)) },
  { code: ErrorCode.ValidationFailed, make: (e) => json(e, (x) => (x.payload!.user_id = 42)) },
  { code: ErrorCode.ValidationFailed, make: (e) => json(e, (x) => delete x.event_id) },
  { code: ErrorCode.ValidationFailed, make: (e) => json(e, (x) => delete x.payload) },
  { code: ErrorCode.ValidationFailed, make: (e) => json(e, (x) => delete x.payload!.source) },
  { code: ErrorCode.ValidationFailed, make: (e) => json(e, (x) => delete x.payload!.pricing) },
  { code: ErrorCode.ValidationFailed, make: (e) => json(e, (x) => (x.event_type = 'other')) },
  {
    code: ErrorCode.UnsupportedSchemaVersion,
    make: (e) => json(e, (x) => (x.schema_version = 2)),
  },
  // Content PostgreSQL cannot store, or the ledger cannot write, whatever the field (issue 15).
  { code: ErrorCode.UnstorableText, make: (e) => json(e, (x) => (x.payload!.user_id = 'u\u0000')) },
  { code: ErrorCode.UnstorableText, make: (e) => json(e, (x) => (x.producer = 'p\ud800')) },
  {
    code: ErrorCode.JsonTooDeep,
    make: (e) =>
      json(
        e,
        (x) =>
          (x.payload!.metadata = {
            a: JSON.parse(`${'['.repeat(200)}${']'.repeat(200)}`) as unknown,
          }),
      ),
  },
  {
    code: ErrorCode.ValidationFailed,
    make: (e) => JSON.stringify(e).replace(/^{/, '{"__proto__":{},'),
  },
];

function json(envelope: Breakable, breakIt: (x: Breakable) => unknown): string {
  breakIt(envelope);
  return JSON.stringify(envelope);
}

/** `count` broken messages, every kind of breakage in turn, keyed by some user. */
export function malformedMessages(count: number, shape: WorkloadShape): MalformedMessage[] {
  return Array.from({ length: count }, (_, n) => {
    const { code, make } = BREAKAGES[n % BREAKAGES.length];
    const user = pickUser(shape);
    const envelope = chargeEnvelope(user, 1 + randomInt(20)) as unknown as Breakable;
    return { key: user, value: make(envelope, n), code };
  });
}
