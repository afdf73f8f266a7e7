import { EXPIRE_SOURCE } from '@tally/contracts';
import type { CheckedStack } from '../../faults/support/checked-stack';
import { KEY_SOURCE, KeyedUser } from './key-charges';

/** What the ledger and the gateway's key spend say about grants expiring and budget periods. */
export interface ClockFindings {
  /** Grants written off by more than one `expire` entry. */
  expiredTwice: number;
  /** Charge allocations from a grant made later than its expiry plus the step. */
  spentBeyondStep: number;
  /** The latest a charge drew on a grant after its expiry (s; negative: none after it). */
  latestSpendAfterExpiry: number;
  /** The earliest a grant was written off before its expiry (s; negative: none before it). */
  earliestExpiryBefore: number;
  /** Grants whose amount is not what was drawn, written off and still remains. */
  unbalancedGrants: number;
  /** Keys whose spend (all days) is not the sum of their charges in the ledger. */
  keysMiscounted: number;
  /** Credits in key_spend by UTC day. */
  spendByDay: Map<string, number>;
}

const GRANTS = `SELECT event_id, expires_at, amount, debt_covered, remaining FROM grants
                 WHERE event_id = ANY($1::text[])`;

export async function clockFindings(
  stack: CheckedStack,
  users: KeyedUser[],
  stepSeconds: number,
): Promise<ClockFindings> {
  const grants = users.map((u) => u.grant);
  const db = stack.storeDb;
  const { rows: twice } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM (
       SELECT a->>'grant' FROM ledger_entries e CROSS JOIN LATERAL jsonb_array_elements(e.allocations) a
        WHERE e.source = $2 AND e.status = 'applied' AND a->>'grant' = ANY($1::text[])
        GROUP BY 1 HAVING count(*) > 1) twice`,
    [grants, EXPIRE_SOURCE],
  );
  const { rows: late } = await db.query<{ beyond: string; latest: number | null }>(
    `SELECT count(*) FILTER (WHERE e.created_at > g.expires_at + make_interval(secs => $3)) AS beyond,
            max(extract(epoch FROM e.created_at - g.expires_at))::float8 AS latest
       FROM ledger_entries e CROSS JOIN LATERAL jsonb_array_elements(e.allocations) a
       JOIN (${GRANTS}) g ON g.event_id = a->>'grant'
      WHERE e.source = $2 AND e.status = 'applied'`,
    [grants, KEY_SOURCE, stepSeconds],
  );
  const { rows: early } = await db.query<{ earliest: number | null }>(
    `SELECT max(extract(epoch FROM g.expires_at - e.created_at))::float8 AS earliest
       FROM ledger_entries e CROSS JOIN LATERAL jsonb_array_elements(e.allocations) a
       JOIN (${GRANTS}) g ON g.event_id = a->>'grant'
      WHERE e.source = $2 AND e.status = 'applied'`,
    [grants, EXPIRE_SOURCE],
  );
  const { rows: unbalanced } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM (${GRANTS}) g
      WHERE g.amount - g.debt_covered <> g.remaining + COALESCE((
            SELECT sum((a->>'amount')::bigint) FROM ledger_entries e
             CROSS JOIN LATERAL jsonb_array_elements(e.allocations) a
             WHERE e.direction = 'expense' AND e.status = 'applied' AND a->>'grant' = g.event_id), 0)`,
    [grants],
  );
  return {
    expiredTwice: Number(twice[0].n),
    spentBeyondStep: Number(late[0].beyond),
    latestSpendAfterExpiry: late[0].latest ?? -Infinity,
    earliestExpiryBefore: early[0].earliest ?? -Infinity,
    unbalancedGrants: Number(unbalanced[0].n),
    ...(await keySpend(stack)),
  };
}

/**
 * Each key's spend, summed over its days, against its charges in the ledger: a charge counted in
 * two periods (or in none) shows here.
 */
async function keySpend(
  stack: CheckedStack,
): Promise<Pick<ClockFindings, 'keysMiscounted' | 'spendByDay'>> {
  const { rows: spend } = await stack.gatewayDb.query<{ key: string; spent: string }>(
    `SELECT api_key_id::text AS key, sum(spent) AS spent FROM key_spend GROUP BY 1`,
  );
  const { rows: ledger } = await stack.storeDb.query<{ key: string; spent: string }>(
    `SELECT metadata->>'api_key_id' AS key, -sum(amount) AS spent FROM ledger_entries
      WHERE source = $1 AND status = 'applied' GROUP BY 1`,
    [KEY_SOURCE],
  );
  const counted = new Map(spend.map((row) => [row.key, row.spent]));
  const charged = new Map(ledger.map((row) => [row.key, row.spent]));
  const keys = new Set([...counted.keys(), ...charged.keys()]);
  const keysMiscounted = [...keys].filter((key) => counted.get(key) !== charged.get(key)).length;
  const { rows: days } = await stack.gatewayDb.query<{ day: string; spent: string }>(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(spent) AS spent FROM key_spend GROUP BY 1 ORDER BY 1`,
  );
  return { keysMiscounted, spendByDay: new Map(days.map((d) => [d.day, Number(d.spent)])) };
}

/** What a keyed user's balance must be: its grant, less its charges, less what expired of it. */
export async function keyedBalances(
  stack: CheckedStack,
  users: KeyedUser[],
  charged: Map<string, number>,
): Promise<Map<string, number>> {
  const { rows } = await stack.storeDb.query<{ user_id: string; expired: string }>(
    `SELECT user_id, -sum(amount) AS expired FROM ledger_entries
      WHERE source = $1 AND status = 'applied' AND user_id = ANY($2::text[]) GROUP BY 1`,
    [EXPIRE_SOURCE, users.map((u) => u.user)],
  );
  const expired = new Map(rows.map((row) => [row.user_id, Number(row.expired)]));
  return new Map(
    users.map((u) => [u.user, u.granted - (charged.get(u.user) ?? 0) - (expired.get(u.user) ?? 0)]),
  );
}
