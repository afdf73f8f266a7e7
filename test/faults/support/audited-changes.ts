import type { Client } from 'pg';
import { sleep } from '../../../bench/support/bench-stack';
import type { FaultStack } from './fault-stack';

/** The workload's request ids, ids and names all start with this (its records are told apart). */
export const TAG = 'akill';

/** One audited request of the workload: what it asked for, and what it was answered (if at all). */
export interface AuditedCall {
  app: 'store' | 'gateway';
  action: string;
  /** What its change is known by in the database (see CHANGES), as its record names it. */
  identity: string;
  status: Status;
}

/** `cut`: the connection died under the request; `refused`: the app was down, nothing was sent. */
export type Status = number | 'cut' | 'refused';

/** The answer to one request, or how it got none. */
export async function send(
  url: string,
  method: string,
  token: string,
  requestId: string,
  body?: unknown,
): Promise<{ status: Status; body: Record<string, unknown> }> {
  try {
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'x-request-id': requestId,
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // A body cut short: the status still says what happened.
    }
    return { status: response.status, body: parsed };
  } catch (error) {
    const code = ((error as Error).cause as { code?: string } | undefined)?.code;
    if (code !== 'ECONNREFUSED') return { status: 'cut', body: {} };
    await sleep(50);
    return { status: 'refused', body: {} };
  }
}

interface Family {
  /** Each change of the family in the databases, by identity (as its record should name it). */
  changes: (stack: FaultStack, ruleIds: number[]) => Promise<string[]>;
  /** The identity of the change an `ok` record of the family says was made. */
  identityOf: (record: RecordRow) => string;
}

export interface RecordRow {
  action: string;
  target_id: string | null;
  after: Record<string, unknown> | null;
}

const column = async (db: Client, sql: string, params: unknown[] = []) =>
  (await db.query<{ v: string }>(sql, params)).rows.map((r) => r.v);

/**
 * What each audited action changes, read from the app's own tables, and how its record names that
 * change. Where a record carries only its target (an update, a void), the workload makes each
 * such change at most once per target, so that the target alone tells one change from another.
 */
export const CHANGES: Record<string, Family> = {
  'grant.create': {
    changes: ({ storeDb }) =>
      column(
        storeDb,
        `SELECT event_id || '@' || user_id AS v FROM ledger_entries WHERE event_id LIKE $1`,
        [`${TAG}-g-%`],
      ),
    identityOf: (r) => `${String(r.after?.event_id)}@${r.target_id}`,
  },
  'grant.void': {
    changes: ({ storeDb }) =>
      column(
        storeDb,
        `SELECT source_ref_id AS v FROM ledger_entries WHERE source = 'void' AND source_ref_id LIKE $1`,
        [`${TAG}-g-%`],
      ),
    identityOf: (r) => String(r.target_id),
  },
  'price_rule.update': {
    changes: ({ storeDb }, ruleIds) =>
      column(
        storeDb,
        `SELECT rule_id || ':' || version || '@' || rule_id AS v FROM price_rule_versions
          WHERE rule_id = ANY($1) AND version > 1`,
        [ruleIds],
      ),
    identityOf: (r) => `${String(r.after?.id)}:${String(r.after?.version)}@${r.target_id}`,
  },
  'order.create': {
    // One order per user: the record names the user, the order's id is not known before it.
    changes: ({ storeDb }) =>
      column(storeDb, `SELECT user_id AS v FROM orders WHERE user_id LIKE $1`, [`${TAG}-o-%`]),
    identityOf: (r) => String(r.target_id),
  },
  'order.paid': {
    changes: ({ storeDb }) =>
      column(
        storeDb,
        `SELECT order_id AS v FROM orders
          WHERE user_id LIKE $1 AND status IN ('paid', 'credited', 'refunded')`,
        [`${TAG}-o-%`],
      ),
    identityOf: (r) => String(r.target_id),
  },
  'order.refund': {
    changes: ({ storeDb }) =>
      column(
        storeDb,
        `SELECT order_id AS v FROM orders WHERE user_id LIKE $1 AND status = 'refunded'`,
        [`${TAG}-o-%`],
      ),
    identityOf: (r) => String(r.target_id),
  },
  'product.create': {
    changes: ({ storeDb }) =>
      column(storeDb, `SELECT sku AS v FROM products WHERE sku LIKE $1`, [`${TAG}-sku-%`]),
    identityOf: (r) => String(r.target_id),
  },
  'product.update': {
    changes: ({ storeDb }) =>
      column(storeDb, `SELECT id::text AS v FROM products WHERE name LIKE $1`, [
        `${TAG}-renamed-%`,
      ]),
    identityOf: (r) => String(r.target_id),
  },
  'reward_rule.create': {
    changes: ({ storeDb }) =>
      column(storeDb, `SELECT source AS v FROM reward_rules WHERE source LIKE $1`, [`${TAG}-rw-%`]),
    identityOf: (r) => String(r.target_id),
  },
  'reward_rule.update': {
    changes: ({ storeDb }) =>
      column(
        storeDb,
        `SELECT id::text AS v FROM reward_rules WHERE source LIKE $1 AND amount <> 1`,
        [`${TAG}-rw-%`],
      ),
    identityOf: (r) => String(r.target_id),
  },
  'api_key.create': {
    changes: ({ gatewayDb }) =>
      column(gatewayDb, `SELECT name || '@' || user_id AS v FROM api_keys WHERE name LIKE $1`, [
        `${TAG}-key-%`,
      ]),
    identityOf: (r) => `${String(r.after?.name)}@${r.target_id}`,
  },
  'api_key.update': {
    changes: ({ gatewayDb }) =>
      column(
        gatewayDb,
        `SELECT id::text AS v FROM api_keys WHERE name LIKE $1 AND rpm IS NOT NULL`,
        [`${TAG}-key-%`],
      ),
    identityOf: (r) => String(r.target_id),
  },
  'api_key.revoke': {
    changes: ({ gatewayDb }) =>
      column(
        gatewayDb,
        `SELECT id::text AS v FROM api_keys WHERE name LIKE $1 AND revoked_at IS NOT NULL`,
        [`${TAG}-key-%`],
      ),
    identityOf: (r) => String(r.target_id),
  },
};

export interface TrailCheck {
  /** Changes of the workload found in the databases, by action. */
  changes: Record<string, number>;
  /** Everything that breaks "one ok record per change, no ok record without its change". */
  problems: string[];
}

/**
 * The databases against the audit trail (the credit-store's table, which holds both apps'
 * records) and against the answers the workload got: every change has exactly one `ok` record
 * naming it, every `ok` record has its change, every 2xx has both, every 4xx neither.
 */
export async function checkTrail(
  stack: FaultStack,
  ruleIds: number[],
  calls: AuditedCall[],
): Promise<TrailCheck> {
  const { rows: records } = await stack.storeDb.query<RecordRow>(
    `SELECT action, target_id, after FROM audit_records
      WHERE request_id LIKE $1 AND outcome = 'ok'`,
    [`${TAG}-%`],
  );
  const problems: string[] = [];
  const changes: Record<string, number> = {};
  for (const [action, family] of Object.entries(CHANGES)) {
    const made = new Set(await family.changes(stack, ruleIds));
    changes[action] = made.size;
    const recorded = new Map<string, number>();
    for (const r of records.filter((r) => r.action === action)) {
      const id = family.identityOf(r);
      recorded.set(id, (recorded.get(id) ?? 0) + 1);
    }
    for (const id of made) {
      const n = recorded.get(id) ?? 0;
      if (n !== 1) problems.push(`${action} ${id}: changed, with ${n} ok records`);
    }
    for (const id of recorded.keys()) {
      if (!made.has(id)) problems.push(`${action} ${id}: an ok record, and no such change`);
    }
    for (const call of calls.filter((c) => c.action === action)) {
      const answered2xx = typeof call.status === 'number' && call.status < 300;
      const answered4xx =
        typeof call.status === 'number' && call.status >= 400 && call.status < 500;
      if (answered2xx && !made.has(call.identity)) {
        problems.push(`${action} ${call.identity}: answered ${call.status}, not changed`);
      }
      if (answered4xx && made.has(call.identity)) {
        problems.push(`${action} ${call.identity}: answered ${call.status}, changed anyway`);
      }
    }
  }
  return { changes, problems };
}

/** Until the trail checks out (the gateway's records travel to the credit-store meanwhile). */
export async function settledTrail(
  stack: FaultStack,
  ruleIds: number[],
  calls: AuditedCall[],
  timeoutMs = 60_000,
): Promise<TrailCheck> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const check = await checkTrail(stack, ruleIds, calls);
    if (check.problems.length === 0 || Date.now() > deadline) return check;
    await sleep(500);
  }
}
