import { sleep } from '../../../bench/support/bench-stack';
import type { WorkloadShape } from '../../../bench/support/workload';
import { ChargeClient, HTTP_SOURCE } from '../../faults/support/charge-client';
import { printFigures } from '../../faults/support/figures';
import { grantSomeUsers } from '../../faults/support/grants';
import {
  HttpOutcome,
  httpFigures,
  recordedCharges,
  settleAndCheck,
} from '../../faults/support/http-outcome';
import { PARTITIONS } from './partition-config';
import type { PartitionStack } from './partition-stack';

export const PARTITION_SHAPE: WorkloadShape = { users: PARTITIONS.users, hotShare: 0.05 };

/** What a scenario's fault reports: its own figures, and when the network was whole again. */
export interface FaultReport {
  healedAt: number;
  figures: Record<string, number | string>;
}

export interface ScenarioResult {
  client: ChargeClient;
  outcome: HttpOutcome;
  /** Event ids the ledger holds more than once (the unique key should make this impossible). */
  doubled: number;
  recoverSeconds: number;
  fault: FaultReport;
  /** Whether both apps' processes were still alive at the end (no restart was needed). */
  appsAlive: boolean;
}

/** A scenario's time limit: its load, its faults, the time to recover and drain. */
export const SCENARIO_TIMEOUT_MS =
  (PARTITIONS.seconds + 2 * PARTITIONS.lossSeconds + 4 * PARTITIONS.cutSeconds + 600) * 1000;

/**
 * Runs the retrying charge client through the gateway for PARTITIONS.seconds while `fault` breaks
 * the network (it starts a third of PARTITIONS.seconds in; the load lasts `loadSeconds`, which
 * must outlast the fault), measures how long after the heal both the gateway
 * records charges and the ledger applies them again, then settles and checks every charge event by
 * event with the fault suite's checker. Prints the figures; the caller asserts.
 */
export async function underLoad(
  stack: PartitionStack,
  title: string,
  fault: () => Promise<FaultReport>,
  loadSeconds = PARTITIONS.seconds,
): Promise<ScenarioResult> {
  const grants = await grantSomeUsers(stack, PARTITION_SHAPE);
  const client = new ChargeClient(stack.gatewayUrl, PARTITION_SHAPE);
  const events = Math.round((PARTITIONS.events * loadSeconds) / PARTITIONS.seconds);
  const charging = client.run(events, loadSeconds * 1000);
  await sleep((PARTITIONS.seconds * 1000) / 3);
  const report = await fault();
  const recoverSeconds = await timeToRecover(stack, report.healedAt);
  await charging;
  const outcome = await settleAndCheck(stack, client, grants);
  const doubled = await doubledEntries(stack);
  const appsAlive = stack.isRunning('ai-gateway') && stack.isRunning('credit-store');
  printFigures(title, {
    ...report.figures,
    accepted: client.accepted.size,
    applied: outcome.afterRetry.applied,
    lost: outcome.beforeRetry.missing,
    doubled,
    'refused (5xx, any request)': client.figures.serverErrors,
    '5xx by status': byStatus(client.serverErrorsByStatus),
    'new charges without an answer (none in 10 s, reset or 5xx)': client.figures.noAnswer,
    'seconds to recover after the heal': recoverSeconds.toFixed(1),
    ...httpFigures(client, outcome),
  });
  return { client, outcome, doubled, recoverSeconds, fault: report, appsAlive };
}

function byStatus(counts: Map<number, number>): string {
  return [...counts].map(([status, n]) => `${status}: ${n}`).join(', ') || 'none';
}

async function appliedEntries(stack: PartitionStack): Promise<number> {
  const { rows } = await stack.storeDb.query<{ n: string }>(
    `SELECT count(*) AS n FROM ledger_entries WHERE source = $1`,
    [HTTP_SOURCE],
  );
  return Number(rows[0].n);
}

/**
 * Seconds from `healedAt` until both the gateway has recorded a new charge and the ledger has
 * applied a new one (the whole path works again). Bounded: a stack that never recovers fails.
 */
async function timeToRecover(stack: PartitionStack, healedAt: number): Promise<number> {
  const [recorded, applied] = [await recordedCharges(stack), await appliedEntries(stack)];
  const deadline = healedAt + 180_000;
  let recordedAgain = false;
  let appliedAgain = false;
  while (Date.now() < deadline) {
    recordedAgain ||= (await recordedCharges(stack)) > recorded;
    appliedAgain ||= (await appliedEntries(stack)) > applied;
    if (recordedAgain && appliedAgain) return (Date.now() - healedAt) / 1000;
    await sleep(100);
  }
  throw new Error(
    `no recovery within 180 s of the heal (gateway recording: ${recordedAgain}, ledger applying: ${appliedAgain})`,
  );
}

async function doubledEntries(stack: PartitionStack): Promise<number> {
  const { rows } = await stack.storeDb.query<{ n: string }>(
    `SELECT count(*) AS n FROM (SELECT event_id FROM ledger_entries WHERE source = $1
       GROUP BY event_id HAVING count(*) > 1) twice`,
    [HTTP_SOURCE],
  );
  return Number(rows[0].n);
}

/** Holds a fault for `seconds`, then heals it; answers when the heal was done. */
export async function holdFor(seconds: number, heal: () => void): Promise<number> {
  await sleep(seconds * 1000);
  heal();
  return Date.now();
}
