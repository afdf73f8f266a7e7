import { Topics } from '@tally/contracts';
import { ChargeClient, HTTP_SOURCE } from './charge-client';
import type { CheckedStack } from './checked-stack';
import { LedgerReport, checkLedger } from './ledger-check';
import type { ExpectedCharge } from './topic-workload';

export interface HttpOutcome {
  /** New charges answered 202 at their first attempt. */
  acceptedFirstTime: number;
  /** New charges whose first attempt got no answer (or a 5xx). */
  unanswered: number;
  /** … of which the ledger holds anyway (recorded before the answer was lost). */
  unansweredApplied: number;
  /** Charges the gateway recorded (outbox rows) and messages its relay put on the topic. */
  outboxRows: number;
  topicMessages: number;
  /** From the end of the workload until the ledger had taken in everything sent. */
  drainSeconds: number;
  /** Checked before any retry: every 202 there, each unanswered one at most once. */
  beforeRetry: LedgerReport;
  /** Checked after the unanswered ones were sent again: exactly every charge. */
  afterRetry: LedgerReport;
}

/**
 * After a workload through the gateway: waits until the outbox is published and the topic
 * consumed, checks the ledger against the 202s (plus whichever unanswered charges made it), then
 * sends the unanswered charges again, as their service would, and checks that the ledger holds
 * every charge exactly once.
 */
export async function settleAndCheck(
  stack: CheckedStack,
  client: ChargeClient,
  grants: Map<string, number>,
): Promise<HttpOutcome> {
  const loadEnded = Date.now();
  await stack.waitOutboxDrained();
  await stack.waitConsumed();
  const drainSeconds = (Date.now() - loadEnded) / 1000;
  const acceptedFirstTime = client.accepted.size;
  const { rows } = await stack.storeDb.query<{ event_id: string }>(
    `SELECT event_id FROM ledger_entries WHERE source = $1`,
    [HTTP_SOURCE],
  );
  const applied = new Set(rows.map((r) => r.event_id));
  const expected = new Map<string, ExpectedCharge>(client.accepted);
  let unansweredApplied = 0;
  for (const [id, body] of client.unanswered) {
    if (!applied.has(id)) continue;
    expected.set(id, { user: body.user_id, amount: body.amount });
    unansweredApplied++;
  }
  const beforeRetry = await checkLedger(stack, HTTP_SOURCE, expected, grants);

  const unanswered = await client.retryUnanswered();
  await stack.waitOutboxDrained();
  await stack.waitConsumed();
  const afterRetry = await checkLedger(stack, HTTP_SOURCE, client.accepted, grants);
  const { rows: outbox } = await stack.gatewayDb.query<{ n: string }>(
    `SELECT count(*) AS n FROM outbox`,
  );
  return {
    outboxRows: Number(outbox[0].n),
    topicMessages: await stack.topicSize(Topics.chargeRequested),
    acceptedFirstTime,
    unanswered,
    unansweredApplied,
    drainSeconds,
    beforeRetry,
    afterRetry,
  };
}

/** Charges the gateway has recorded (its own table, written with the outbox row). */
export async function recordedCharges(stack: CheckedStack): Promise<number> {
  const { rows } = await stack.gatewayDb.query<{ n: string }>(
    `SELECT count(*) AS n FROM charges WHERE source = $1`,
    [HTTP_SOURCE],
  );
  return Number(rows[0].n);
}

/** Until the gateway has recorded `count` charges of the workload. */
export async function waitRecorded(stack: CheckedStack, count: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const now = await recordedCharges(stack);
    if (now >= count) return now;
    if (Date.now() > deadline) throw new Error(`the gateway stalled at ${now} of ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The figures every HTTP scenario prints, in one shape. */
export function httpFigures(client: ChargeClient, outcome: HttpOutcome) {
  return {
    'requests sent': client.figures.requests,
    'new charges answered 202': outcome.acceptedFirstTime,
    'repeats answered 202 (same amount)': client.figures.repeats202,
    'conflicting repeats answered 409': client.figures.conflicts409,
    '5xx answers (any request)': client.figures.serverErrors,
    'charges without an answer (none or 5xx)': outcome.unanswered,
    '… of which applied anyway': outcome.unansweredApplied,
    // More messages than rows: the relay sent some twice (a crash or an outage between sending
    // and marking them sent), which the ledger must have absorbed.
    'outbox rows / messages on the topic': `${outcome.outboxRows} / ${outcome.topicMessages}`,
    'seconds from last request to all applied': outcome.drainSeconds.toFixed(1),
    'applied before retry': outcome.beforeRetry.applied,
    'mismatches before retry': outcome.beforeRetry.mismatches,
    'retried, still without 202': client.unanswered.size,
    'applied in the end': outcome.afterRetry.applied,
    'accounts reconciled': outcome.afterRetry.accountsChecked,
    'unexpected answers': client.unexpected.length,
    mismatches: outcome.afterRetry.mismatches,
  };
}

/** The assertions every HTTP scenario makes on its outcome. */
export function expectExact(client: ChargeClient, outcome: HttpOutcome): void {
  expect(client.unexpected).toEqual([]);
  expect(outcome.beforeRetry).toMatchObject({ missing: 0, unexpected: 0, wrong: 0, balances: 0 });
  expect(outcome.beforeRetry.reconciliation).toBe(0);
  expect(client.unanswered.size).toBe(0);
  expect(outcome.afterRetry).toMatchObject({ missing: 0, unexpected: 0, wrong: 0, balances: 0 });
  expect(outcome.afterRetry.reconciliation).toBe(0);
  expect(outcome.afterRetry.applied).toBe(client.accepted.size);
  expect(client.figures.repeats202).toBeGreaterThan(0);
  expect(client.figures.conflicts409).toBeGreaterThan(0);
}
