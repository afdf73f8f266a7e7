// The partition suite: every process in a network namespace of its own, faults made on the links
// between them (a cut, a partial partition, random loss, a throttled link), under a retrying client
// charging through two gateways (two credit-stores behind them) and API-key holders calling chat
// completions. After each fault every charge answered 202 must be in the ledger exactly once, every
// chat answered 200 charged exactly once, nothing else, and the credit-store's reconciliation clean
// (the fault suite's checker). A fault on "the gateway" or "the credit-store" is on gw or cs: the
// other of each pair keeps serving.
import { spawnSync } from 'node:child_process';
import { Topics } from '@tally/contracts';
import path from 'node:path';
import { AppName, sleep } from '../../bench/support/bench-stack';
import { busiestLeader } from '../faults/support/cluster';
import { expectExact } from '../faults/support/http-outcome';
import { expectChatsExact } from './support/chat-load';
import { PARTITIONS } from './support/partition-config';
import { ProbeAnswer, probeCharges, settleProbes } from './support/cut-probe';
import { DiskFull, KafkaDisks, WalDisk, internalErrorsFrom } from './support/full-disk';
import { PartitionStack } from './support/partition-stack';
import { clockUnderLoad } from './support/clock-scenario';
import { SteppedClock, canFakeTime } from './support/stepped-clock';
import { SCENARIO_TIMEOUT_MS, ScenarioResult, holdFor, underLoad } from './support/under-load';

/** Root and network namespaces; the runner (scripts/test-partitions.sh) says "skipped" otherwise. */
const canRun = process.getuid?.() === 0 && spawnSync('ip', ['netns', 'list']).status === 0;
const describeIf = canRun ? describe : describe.skip;
/** The short profile (`npm test`) runs three scenarios; the full one all of them. */
const fullOnly = PARTITIONS.full ? test : test.skip;
/** Charges sent at once while a link is cut. */
const PROBES = 5;
/**
 * The apps' database timeouts in the scenarios that cut PostgreSQL off (shorter than the
 * production defaults, so that an answer within them is told apart from one after the heal).
 */
const DATABASE_TIMEOUTS = {
  DATABASE_CONNECT_TIMEOUT_MS: '2000',
  DATABASE_QUERY_TIMEOUT_MS: '3000',
};
/** A cut request answers within its query timeout, then a new connection's, and some slack. */
const PROBE_BOUND_MS = 3000 + 2000 + 1500;

describeIf('partitions', () => {
  const stack = new PartitionStack();
  const { network } = stack;

  beforeAll(() => stack.up(), 300_000);
  afterAll(async () => {
    const left = await stack.down();
    expect(left).toEqual([]);
  }, 120_000);

  async function scenario<R = ScenarioResult>(
    name: string,
    run: () => Promise<R>,
    extra: NodeJS.ProcessEnv = {},
    only: Partial<Record<AppName, NodeJS.ProcessEnv>> = {},
  ): Promise<R> {
    await stack.startScenario(name, extra, only);
    try {
      return await run();
    } finally {
      await stack.stopScenario();
    }
  }

  function expectWhole(result: ScenarioResult): void {
    expectExact(result.client, result.outcome);
    expectChatsExact(result.chat, result.chats);
    expect(result.doubled).toBe(0);
    // Every app came back by itself, in the same process.
    expect(result.appsAlive).toBe(true);
  }

  test(
    'the gateway cut from PostgreSQL in the middle of its group commits answers 503 at once, then heals',
    async () => {
      let probes: ProbeAnswer[] = [];
      let applied = new Map<string, number>();
      const result = await scenario(
        'gateway_pg',
        async () => {
          const outcome = await underLoad(stack, 'gateway cut from PostgreSQL', async () => {
            network.block('gw', ['pg1']);
            await sleep(1000);
            const dropped = network.dropped('gw');
            // Charges sent while the link is silent: each must answer 503 within the timeouts,
            // not wait as long as the cut.
            probes = await probeCharges(stack, PROBES);
            const healedAt = await holdFor(PARTITIONS.cutSeconds - 1, () =>
              network.clearFault('gw'),
            );
            return {
              healedAt,
              figures: {
                'cut seconds': PARTITIONS.cutSeconds,
                'packets dropped (first second)': dropped,
                'charges sent during the cut: statuses': probes.map((p) => p.status).join(' '),
                'charges sent during the cut: slowest answer (ms)': Math.max(
                  ...probes.map((p) => p.ms),
                ),
              },
            };
          });
          // Sent again after the heal, as their service would: each must apply exactly once.
          applied = await settleProbes(stack, probes);
          return outcome;
        },
        DATABASE_TIMEOUTS,
      );
      expect(Number(result.fault.figures['packets dropped (first second)'])).toBeGreaterThan(0);
      for (const probe of probes) {
        expect(probe).toMatchObject({ status: 503, code: 'service_unavailable' });
        expect(probe.ms).toBeLessThan(PROBE_BOUND_MS);
      }
      expectWhole(result);
      expect(probes.map((p) => applied.get(p.eventId))).toEqual(probes.map(() => 1));
    },
    SCENARIO_TIMEOUT_MS,
  );

  fullOnly(
    'the credit-store cut from PostgreSQL mid-batch, then healed',
    async () => {
      const result = await scenario('store_pg', () =>
        underLoad(stack, 'credit-store cut from PostgreSQL', async () => {
          network.block('cs', ['pg1']);
          await sleep(1000);
          const dropped = network.dropped('cs');
          const healedAt = await holdFor(PARTITIONS.cutSeconds - 1, () => network.clearFault('cs'));
          return {
            healedAt,
            figures: {
              'cut seconds': PARTITIONS.cutSeconds,
              'packets dropped (first second)': dropped,
            },
          };
        }),
      );
      expect(Number(result.fault.figures['packets dropped (first second)'])).toBeGreaterThan(0);
      expectWhole(result);
    },
    SCENARIO_TIMEOUT_MS,
  );

  test(
    'a credit-store cut from the brokers but not from PostgreSQL (a zombie) applies nothing twice',
    async () => {
      // Past the session timeout (6 s): the group evicts it and the other store takes over.
      const seconds = Math.max(PARTITIONS.cutSeconds, 15);
      const result = await scenario('store_zombie', () =>
        underLoad(
          stack,
          'credit-store cut from the brokers (zombie)',
          async () => {
            network.block('cs', ['k1', 'k2', 'k3']);
            const healedAt = await holdFor(seconds, () => undefined);
            const dropped = network.dropped('cs');
            network.clearFault('cs');
            return {
              healedAt,
              figures: { 'cut seconds': seconds, 'packets dropped': dropped },
            };
          },
          PARTITIONS.seconds + seconds,
        ),
      );
      expect(Number(result.fault.figures['packets dropped'])).toBeGreaterThan(0);
      expectWhole(result);
    },
    SCENARIO_TIMEOUT_MS,
  );

  fullOnly(
    'the broker leading most charge partitions cut from the other two, then healed',
    async () => {
      const result = await scenario('broker_minority', () =>
        underLoad(
          stack,
          'busiest broker cut from the other two',
          async () => {
            const partitions = await stack.partitions(Topics.chargeRequested);
            const leader = stack.kafkaNodes.nodeOf(busiestLeader(partitions));
            const others = stack.kafkaNodes.nodes.filter((node) => node !== leader);
            network.block(leader, others);
            const moved = await stack.waitLeadersAway(Topics.chargeRequested, leader);
            const healedAt = await holdFor(PARTITIONS.cutSeconds, () => undefined);
            const dropped = network.dropped(leader);
            network.clearFault(leader);
            await stack.waitFullyReplicated([Topics.chargeRequested]);
            return {
              healedAt,
              figures: {
                'cut node': leader,
                'seconds until its partitions had other leaders': moved.toFixed(1),
                'packets dropped': dropped,
              },
            };
          },
          PARTITIONS.seconds + PARTITIONS.cutSeconds + 30,
        ),
      );
      expect(Number(result.fault.figures['packets dropped'])).toBeGreaterThan(0);
      expectWhole(result);
    },
    SCENARIO_TIMEOUT_MS,
  );

  fullOnly(
    `${PARTITIONS.lossPercent} % loss each way on every link, then every link throttled`,
    async () => {
      const nodes = network.nodeNames();
      const result = await scenario('loss_throttle', () =>
        underLoad(
          stack,
          'loss on every link, then throttled links',
          async () => {
            for (const node of nodes) network.loss(node, PARTITIONS.lossPercent, 'both');
            await sleep(PARTITIONS.lossSeconds * 1000);
            const dropped = nodes.reduce((sum, node) => sum + network.dropped(node), 0);
            for (const node of nodes) network.clearFault(node);
            for (const node of nodes) network.throttle(node, PARTITIONS.throttleKbit);
            await sleep(PARTITIONS.lossSeconds * 1000);
            for (const node of nodes) network.unthrottle(node);
            return {
              healedAt: Date.now(),
              figures: {
                'seconds of loss, then of throttling': PARTITIONS.lossSeconds,
                'packets dropped at random': dropped,
                'throttled to (kbit/s)': PARTITIONS.throttleKbit,
              },
            };
          },
          PARTITIONS.seconds + 2 * PARTITIONS.lossSeconds,
        ),
      );
      expect(Number(result.fault.figures['packets dropped at random'])).toBeGreaterThan(0);
      expectWhole(result);
    },
    SCENARIO_TIMEOUT_MS,
  );

  const standbys: [string, boolean][] = [['synchronous', true]];
  if (PARTITIONS.full) standbys.push(['asynchronous', false]);
  test.each(standbys)(
    'the PostgreSQL primary killed under load, the %s standby promoted',
    async (kind, sync) => {
      await stack.prepareStandby(sync);
      const result = await scenario(`failover_${kind.slice(0, 5)}`, () =>
        underLoad(stack, `primary killed, ${kind} standby promoted`, async () => {
          const seconds = await stack.failover();
          return {
            healedAt: Date.now(),
            figures: { 'seconds from the kill to the floating address moved': seconds.toFixed(1) },
          };
        }),
      );
      // A promoted standby that had everything the primary acknowledged: nothing acknowledged
      // lost. An asynchronous one may miss the last commits: counted and reported, not hidden.
      if (sync) expectWhole(result);
      else {
        expect(result.doubled).toBe(0);
        expect(result.outcome.afterRetry).toMatchObject({ unexpected: 0, wrong: 0 });
        expect(result.appsAlive).toBe(true);
      }
    },
    SCENARIO_TIMEOUT_MS,
  );

  // Full profile only (about five minutes each); without libfaketime, skipped.
  const clockTest = PARTITIONS.full && canFakeTime ? test : test.skip;
  clockTest.each([
    ['forward', 600],
    ['back', -600],
  ])(
    'a clock step %s 10 minutes on one credit-store and the gateway while grants expire and key budget days turn over',
    async (direction, step) => {
      const file = (app: string) => path.join(stack.dataRoot, `clock-${direction}-${app}`);
      const store = new SteppedClock(file('store'));
      // Set before the load 5 minutes before a UTC midnight (forward: stepped past it), or after
      // one (back: stepped before it): the step moves its keys' budget day.
      const gateway = new SteppedClock(file('gateway'));
      const result = await scenario(
        `clock_${direction}`,
        // The second credit-store (and gateway) run on the true clock.
        () => clockUnderLoad(stack, `clock stepped ${step} s`, step, { store, gateway }),
        // Forward, the stores' expiry jobs run every second (the stepped one writes grants off
        // early); back, they do not, so the stepped store spends from grants as long as its
        // clock lets it.
        { JOB_INTERVAL_SECONDS: step > 0 ? '1' : '0' },
        { 'credit-store': store.env, 'ai-gateway': gateway.env },
      );
      expectExact(result.client, result.outcome);
      expect(result.keys.unexpected).toEqual([]);
      expect(result.keyLedger).toMatchObject({ missing: 0, unexpected: 0, wrong: 0 });
      expect(result.appsAlive).toBe(true);
      // Both stores still in the consumer group once idle, living on their heartbeats alone (a
      // store that rejoins after a step back leaves it for a moment under load: not asserted).
      expect(result.idle.fewest).toBe(2);
      const { findings, periods, split } = result;
      expect(findings).toMatchObject({
        expiredTwice: 0,
        spentBeyondStep: 0,
        unbalancedGrants: 0,
        keysMiscounted: 0,
      });
      // The step happened where it matters: the key's day moved, and both days hold spend.
      expect(periods.after).not.toBe(periods.before);
      expect(periods.after > periods.before).toBe(step > 0);
      expect(findings.spendByDay.get(periods.before)).toBeGreaterThanOrEqual(split.answeredBefore);
      expect(findings.spendByDay.get(periods.after)).toBeGreaterThanOrEqual(split.sentAfter);
      // The step reached the store: forward, it wrote grants off seconds before their time (its
      // jobs); back, it let them be spent after it (the store on the true clock does neither by
      // more than a transaction's length).
      if (step > 0) expect(findings.earliestExpiryBefore).toBeGreaterThan(3);
      else expect(findings.latestSpendAfterExpiry).toBeGreaterThan(3);
      expect(findings.earliestExpiryBefore).toBeLessThanOrEqual(Math.max(step, 0) + 5);
    },
    SCENARIO_TIMEOUT_MS,
  );

  interface FullDiskRun {
    result: ScenarioResult;
    probes: ProbeAnswer[];
    applied: Map<string, number>;
    /** 500s the apps logged during the scenario. */
    internalErrors: number;
  }

  /**
   * A disk filled under load until its server stops serving, held so for PARTITIONS.cutSeconds,
   * then freed, and the server started again as its supervisor would if it had exited; the apps
   * are left alone. Charges sent while the server is down are answered (or not) on their own,
   * then sent again until 202.
   */
  async function fullDisk(
    name: string,
    title: string,
    disk: {
      setUp(): Promise<void>;
      fill(): Promise<DiskFull>;
      restart(): Promise<string>;
      tearDown(): Promise<void>;
    },
    loadSeconds = PARTITIONS.seconds,
  ): Promise<FullDiskRun> {
    let probes: ProbeAnswer[] = [];
    let applied = new Map<string, number>();
    await disk.setUp();
    const internalErrors = internalErrorsFrom(name);
    try {
      const result = await scenario(name, async () => {
        const outcome = await underLoad(
          stack,
          title,
          async () => {
            const full = await disk.fill();
            probes = await probeCharges(stack, PROBES);
            await sleep(PARTITIONS.cutSeconds * 1000);
            const freedAt = Date.now();
            const server = await disk.restart();
            // The apps' own recovery is timed from here: the server's restart is its supervisor's.
            const healedAt = Date.now();
            await stack.connectChecker();
            return {
              healedAt,
              figures: {
                'seconds from the disk full to the server not serving':
                  full.secondsToDown.toFixed(1),
                'WAL switches asked for meanwhile': full.nudges,
                'seconds held down, then freed': PARTITIONS.cutSeconds,
                'after the room was freed, the server': server,
                'seconds from the room freed to the server serving again': (
                  (healedAt - freedAt) /
                  1000
                ).toFixed(1),
                'charges sent while down: statuses': probes.map((p) => p.status).join(' '),
              },
            };
          },
          loadSeconds,
        );
        applied = await settleProbes(stack, probes);
        return outcome;
      });
      process.stdout.write(`  500s in the apps' own logs: ${internalErrors()}\n`);
      return { result, probes, applied, internalErrors: internalErrors() };
    } finally {
      await disk.tearDown();
    }
  }

  function expectNoFaultOfOurs({ result, probes, applied, internalErrors }: FullDiskRun): void {
    // A 503 says "try again"; a 500 would be a fault of ours.
    expect([...result.client.serverErrorsByStatus.keys()].filter((s) => s !== 503)).toEqual([]);
    expect(internalErrors).toBe(0);
    expectWhole(result);
    expect(probes.map((p) => applied.get(p.eventId))).toEqual(probes.map(() => 1));
  }

  fullOnly(
    "a full disk: PostgreSQL's pg_wal fills under load, the apps answer 503, then recover once it is restarted",
    async () => {
      await stack.prepareStandby(true);
      const run = await fullDisk('wal_full', "PostgreSQL's pg_wal full", new WalDisk(stack));
      for (const probe of run.probes) {
        expect(probe).toMatchObject({ status: 503, code: 'service_unavailable' });
      }
      expectNoFaultOfOurs(run);
    },
    SCENARIO_TIMEOUT_MS,
  );

  fullOnly(
    "a full disk: every broker's Kafka log directory fills under load, nothing accepted is lost",
    async () => {
      const disks = new KafkaDisks(stack, stack.kafkaNodes.nodes);
      // The gateway stays ready with every broker down, so its load goes on by the clock: it must
      // outlast the brokers' restart, or nothing new is left to record after it.
      const run = await fullDisk(
        'kafka_full',
        'every Kafka log directory full',
        disks,
        PARTITIONS.seconds + 180,
      );
      // The gateway records a charge in PostgreSQL with its outbox row: with every broker down
      // it still accepts, and its relay publishes once they are back.
      for (const probe of run.probes) expect([202, 503]).toContain(probe.status);
      expectNoFaultOfOurs(run);
    },
    // The brokers' restarts (twice: after the fill, and off the small disks) take minutes here.
    SCENARIO_TIMEOUT_MS + 20 * 60_000,
  );
});
