import { sleep } from '../../../bench/support/bench-stack';
import type { WorkloadShape } from '../../../bench/support/workload';
import { ChargeClient, HTTP_SOURCE } from '../../faults/support/charge-client';
import { printFigures } from '../../faults/support/figures';
import { grantSomeUsers } from '../../faults/support/grants';
import { HttpOutcome, httpFigures, settleAndCheck } from '../../faults/support/http-outcome';
import { ChatClient, ChatReport, checkChats, prepareChat } from './chat-load';
import { probeBalance } from './cut-probe';
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
  chat: ChatClient;
  chats: ChatReport;
  /** Event ids the ledger holds more than once (the unique key should make this impossible). */
  doubled: number;
  recoverSeconds: number;
  fault: FaultReport;
  /** Whether every app's process was still alive at the end (no restart was needed). */
  appsAlive: boolean;
}

/**
 * A scenario's time limit: its load, its faults, the time to recover and drain, and starting four
 * apps and the chat users (a short-profile scenario took up to 650 s on a 2-core machine running
 * three stacks at once).
 */
export const SCENARIO_TIMEOUT_MS =
  (PARTITIONS.seconds + 2 * PARTITIONS.lossSeconds + 4 * PARTITIONS.cutSeconds + 900) * 1000;

/**
 * Runs the retrying charge client and the chat client (PARTITIONS.chatShare of the calls) over
 * both gateways for PARTITIONS.seconds while `fault` breaks the network (it starts a third of
 * PARTITIONS.seconds in; the load lasts `loadSeconds`, which must outlast the fault), measures how
 * long after the heal each gateway accepts charges and the ledger applies them again, then checks
 * every chat answered 200 charged exactly once and settles and checks every charge event by event
 * with the fault suite's checker. Prints the figures; the caller asserts.
 */
export async function underLoad(
  stack: PartitionStack,
  title: string,
  fault: () => Promise<FaultReport>,
  loadSeconds = PARTITIONS.seconds,
): Promise<ScenarioResult> {
  const grants = await grantSomeUsers(stack, PARTITION_SHAPE);
  const chat = await prepareChat(stack, stack.gatewayUrls);
  const client = new ChargeClient(stack.gatewayUrls, PARTITION_SHAPE, true);
  const events = Math.round((PARTITIONS.events * loadSeconds) / PARTITIONS.seconds);
  const chats = Math.round((events * PARTITIONS.chatShare) / (1 - PARTITIONS.chatShare));
  const loading = Promise.all([
    client.run(events, loadSeconds * 1000),
    chat.run(chats, loadSeconds * 1000),
  ]);
  await sleep((PARTITIONS.seconds * 1000) / 3);
  const report = await fault();
  const recoverSeconds = await timeToRecover(stack, client, report.healedAt);
  await loading;
  await stack.waitOutboxDrained();
  await stack.waitConsumed();
  const chatReport = await checkChats(stack, chat);
  const balances = new Map([...grants, ...chatReport.balances, ...(await probeBalance(stack))]);
  const outcome = await settleAndCheck(stack, client, balances);
  const doubled = await doubledEntries(stack);
  const appsAlive = stack.allRunning();
  printFigures(title, {
    ...report.figures,
    accepted: client.accepted.size,
    applied: outcome.afterRetry.applied,
    lost: outcome.beforeRetry.missing,
    doubled,
    'refused (5xx, any request)': client.figures.serverErrors,
    '5xx by status': byStatus(client.serverErrorsByStatus),
    'new charges sent again to the other gateway': client.figures.sentAgainElsewhere,
    'new charges without an answer from either (none in 10 s, reset or 5xx)':
      client.figures.noAnswer,
    'seconds to recover after the heal': recoverSeconds.toFixed(1),
    ...httpFigures(client, outcome),
    ...chatFigures(chat, chatReport),
  });
  return {
    client,
    outcome,
    chat,
    chats: chatReport,
    doubled,
    recoverSeconds,
    fault: report,
    appsAlive,
  };
}

function chatFigures(chat: ChatClient, report: ChatReport) {
  return {
    'chat calls (sent again elsewhere)': `${chat.figures.calls} (${chat.figures.sentAgainElsewhere})`,
    'chats answered 200 / charged exactly once': `${report.answered} / ${report.chargedOnce}`,
    'chats refused, by status': chat.refusedFigure(),
    'chats without an answer (none in 15 s or reset)': chat.figures.noAnswer,
    'chat charges without a 200 (may only be unanswered ones)': report.chargedWithout200,
    'chats charged twice / wrongly / recorded, not applied': `${report.doubled} / ${report.wrong} / ${report.recordedNotApplied}`,
  };
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
 * Seconds from `healedAt` until each gateway has answered a new charge 202 and the ledger has
 * applied a new one (the whole path works again, through the gateway a fault cut too). Bounded:
 * a stack that never recovers fails.
 */
async function timeToRecover(
  stack: PartitionStack,
  client: ChargeClient,
  healedAt: number,
): Promise<number> {
  const acceptedBy = () => stack.gatewayUrls.map((url) => client.acceptedBy.get(url) ?? 0);
  const [accepted, applied] = [acceptedBy(), await appliedEntries(stack)];
  const deadline = healedAt + 180_000;
  let acceptedAgain = false;
  let appliedAgain = false;
  while (Date.now() < deadline) {
    acceptedAgain ||= acceptedBy().every((n, i) => n > accepted[i]);
    appliedAgain ||= (await appliedEntries(stack)) > applied;
    if (acceptedAgain && appliedAgain) return (Date.now() - healedAt) / 1000;
    await sleep(100);
  }
  throw new Error(
    `no recovery within 180 s of the heal (both gateways accepting: ${acceptedAgain}, ledger applying: ${appliedAgain})`,
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
