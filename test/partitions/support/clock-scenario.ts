import { json, sleep } from '../../../bench/support/bench-stack';
import { ChargeClient } from '../../faults/support/charge-client';
import { FAULT_TOKENS } from '../../faults/support/fault-stack';
import { printFigures } from '../../faults/support/figures';
import { grantSomeUsers } from '../../faults/support/grants';
import { HttpOutcome, httpFigures, settleAndCheck } from '../../faults/support/http-outcome';
import { LedgerReport, checkLedger } from '../../faults/support/ledger-check';
import { ClockFindings, clockFindings, keyedBalances } from './clock-checks';
import { KEY_SOURCE, KeyCharger, createKeys, grantKeyedUsers } from './key-charges';
import { PARTITIONS } from './partition-config';
import type { PartitionStack } from './partition-stack';
import { SteppedClock, secondsToUtcMidnight, waitClockOffset } from './stepped-clock';
import { PARTITION_SHAPE } from './under-load';

/** Users charged through API keys, whose grants expire one by one after the step. */
const KEYED_USERS = 40;
/** Time allowed to grant them credits (one request each, eight at a time). */
const SEED_MS = 20_000;
/** Load before the step, and from the step to the first expiry; the expiries' spread. */
const LEAD_MS = 8_000;
const FIRST_EXPIRY_MS = 5_000;
const EXPIRY_SPREAD_MS = 20_000;
/** Charges through keys per second. */
const KEY_RATE = 12;
/** How long the group is watched once idle: over three session timeouts (6 s). */
const IDLE_WATCH_MS = 20_000;

/** The current budget period of a key as the gateway sees it, and its spend there. */
export async function keyPeriod(
  stack: PartitionStack,
  key: string,
): Promise<{ start: string; spent: number }> {
  const { status, body } = await json(
    'GET',
    `${stack.gatewayUrl}/admin/api-keys/${key}`,
    FAULT_TOKENS.admin,
  );
  if (status !== 200) throw new Error(`key ${key} answered ${status}`);
  const usage = body.usage as { period_start: string; spent: number | string };
  return { start: usage.period_start, spent: Number(usage.spent) };
}

export interface ClockResult {
  client: ChargeClient;
  outcome: HttpOutcome;
  keys: KeyCharger;
  keyLedger: LedgerReport;
  findings: ClockFindings;
  /** The key's period before and after the step (the gateway's answers). */
  periods: { before: string; after: string };
  /** Credits through keys answered before the step, and sent once it was seen. */
  split: { answeredBefore: number; sentAfter: number };
  /** The credit-store group after the step: fewest members (2: no store dropped out), samples rebalancing. */
  group: { fewest: number; unstable: number };
  /** The same, watched while idle after the load. */
  idle: { fewest: number; unstable: number };
  appsAlive: boolean;
}

/**
 * The clock scenarios' load: the fault suite's retrying client through the gateway, and keyed
 * users charged through their API keys while their grants expire, one every half second from
 * shortly after the step. At the step, the wall clocks of the first credit-store and of the
 * gateway move by `stepSeconds` (the gateway's sits a few minutes from a UTC midnight, so the
 * step moves its keys' budget period); both apps must show the new clock before it goes on. After
 * the load, what is left of the grants is written off by the second store (true clock), and
 * everything is checked: the charges exactly once, the grants' expiries and the keys' spend.
 */
export async function clockUnderLoad(
  stack: PartitionStack,
  title: string,
  stepSeconds: number,
  clocks: { store: SteppedClock; gateway: SteppedClock },
): Promise<ClockResult> {
  const grants = await grantSomeUsers(stack, PARTITION_SHAPE);
  const keyIds = await createKeys(stack, KEYED_USERS);
  const firstExpiry = Date.now() + SEED_MS + LEAD_MS + FIRST_EXPIRY_MS;
  const users = await grantKeyedUsers(stack, keyIds, firstExpiry, EXPIRY_SPREAD_MS);
  const stepAt = firstExpiry - FIRST_EXPIRY_MS;
  // The gateway's clock set so that at the step it reads 5 minutes from a UTC midnight.
  clocks.gateway.set(secondsToUtcMidnight(stepAt) - stepSeconds / 2);
  await waitClockOffset(stack.gatewayUrl, clocks.gateway.offset);
  if (stepAt - Date.now() < LEAD_MS / 2) throw new Error('seeding the keyed users took too long');
  const loadStart = Date.now();
  const loadMs = stepAt - loadStart + FIRST_EXPIRY_MS + EXPIRY_SPREAD_MS + 10_000;
  const client = new ChargeClient(stack.gatewayUrl, PARTITION_SHAPE);
  const keys = new KeyCharger(stack.gatewayUrl, users);
  const events = Math.round((PARTITIONS.events * loadMs) / (PARTITIONS.seconds * 1000));
  const charging = Promise.all([
    client.run(events, loadMs),
    keys.run(Math.round((KEY_RATE * loadMs) / 1000), loadMs),
  ]);
  await sleep(stepAt - Date.now());
  const before = await keyPeriod(stack, users[0].key);

  clocks.store.step(stepSeconds);
  clocks.gateway.step(stepSeconds);
  const [storeSeen, gatewaySeen] = await Promise.all([
    waitClockOffset(stack.storeUrl, clocks.store.offset),
    waitClockOffset(stack.gatewayUrl, clocks.gateway.offset),
  ]);
  const seenAt = Date.now();
  const after = await keyPeriod(stack, users[0].key);
  const group = await watchGroup(stack, loadStart + loadMs);
  await charging;

  const keysUnanswered = await keys.retryUnanswered();
  await stack.waitOutboxDrained();
  await stack.waitConsumed();
  // Every keyed grant is past its expiry now: the store on the true clock writes off the rest.
  const job = await json(
    'POST',
    `${stack.urlOf('credit-store', 2)}/admin/jobs/expire-grants`,
    FAULT_TOKENS.admin,
  );
  if (job.status !== 200 && job.status !== 201) throw new Error(`expire-grants: ${job.status}`);
  const balances = await keyedBalances(stack, users, keys.chargedByUser());
  const outcome = await settleAndCheck(stack, client, new Map([...grants, ...balances]));
  const keyLedger = await checkLedger(
    stack,
    KEY_SOURCE,
    new Map([...keys.accepted].map(([id, c]) => [id, { user: c.user_id, amount: c.amount }])),
    new Map(),
  );
  const findings = await clockFindings(stack, users, Math.abs(stepSeconds));
  // Idle, a consumer lives on its heartbeats alone (no commits): it must stay in the group.
  const idle = await watchGroup(stack, Date.now() + IDLE_WATCH_MS);
  const split = keys.splitAt(seenAt);
  const appsAlive = stack.allRunning();
  printFigures(title, {
    'step (s), as the store and the gateway answered': `${stepSeconds}: ${storeSeen}, ${gatewaySeen}`,
    "the key's period before and after the step": `${before.start} → ${after.start}`,
    'credit-store group after the step: fewest members, seconds rebalancing': `${group.fewest}, ${group.unstable}`,
    'the same, idle after the load': `${idle.fewest}, ${idle.unstable}`,
    accepted: client.accepted.size,
    applied: outcome.afterRetry.applied,
    lost: outcome.beforeRetry.missing,
    'charges through keys: accepted, applied, lost, unanswered': `${keys.accepted.size}, ${keyLedger.applied}, ${keyLedger.missing}, ${keysUnanswered}`,
    'grants written off twice': findings.expiredTwice,
    'latest spend after expiry (s)': findings.latestSpendAfterExpiry.toFixed(1),
    'earliest write-off before expiry (s)': findings.earliestExpiryBefore.toFixed(1),
    [`spends later than expiry + ${Math.abs(stepSeconds)} s`]: findings.spentBeyondStep,
    'grants not adding up': findings.unbalancedGrants,
    'keys whose spend is not their charges': findings.keysMiscounted,
    'key spend by day': [...findings.spendByDay].map(([d, s]) => `${d}: ${s}`).join(', '),
    'refused (5xx, any request)': client.figures.serverErrors + keys.figures.serverErrors,
    ...httpFigures(client, outcome),
  });
  return {
    client,
    outcome,
    keys,
    keyLedger,
    findings,
    periods: { before: before.start, after: after.start },
    split,
    group,
    idle,
    appsAlive,
  };
}

/**
 * The fewest members the credit-store consumer group listed until `until` (sampled each second),
 * and in how many samples it was not stable (rebalancing).
 */
async function watchGroup(
  stack: PartitionStack,
  until: number,
): Promise<{ fewest: number; unstable: number }> {
  const admin = stack.kafka.admin();
  await admin.connect();
  let fewest = Infinity;
  let unstable = 0;
  try {
    while (Date.now() < until) {
      const described = await admin.describeGroups(['credit-store']).catch(() => undefined);
      const group = described?.groups[0];
      if (group) {
        fewest = Math.min(fewest, group.members.length);
        if (group.state !== 'Stable') unstable++;
      }
      await sleep(1_000);
    }
  } finally {
    await admin.disconnect();
  }
  return { fewest, unstable };
}
