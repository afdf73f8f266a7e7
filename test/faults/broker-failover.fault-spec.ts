// Scenario 8: Kafka as production runs it, three brokers (topics replicated 3, min.insync.replicas
// 2, producers acks=all), loses a partition leader while the gateway's relay publishes and the
// credit-store consumes: kill -9 of the broker that leads the most credit.charge.requested
// partitions, brought back once the others have taken over; later the same for another one. One
// broker down must cost a stall while leaders move, never a charge, nor a charge applied twice.
import { TOPIC_SPECS, Topics } from '@tally/contracts';
import { sleep } from '../../bench/support/bench-stack';
import { FAULT_SHAPE, FAULTS, SCENARIO_TIMEOUT_MS } from './support/fault-config';
import { ChargeClient, HTTP_SOURCE } from './support/charge-client';
import {
  busiestLeader,
  partitionsOf,
  replicationOf,
  waitFullyReplicated,
  waitLeadersMoved,
} from './support/cluster';
import { useFaultStack } from './support/fault-stack';
import { printFigures } from './support/figures';
import { grantSomeUsers } from './support/grants';
import {
  HttpOutcome,
  expectExact,
  httpFigures,
  settleAndCheck,
  waitRecorded,
} from './support/http-outcome';
import { ProgressSampler } from './support/progress-sampler';

const NODES = 3;
const stack = useFaultStack('broker_failover', { gateway: true, kafkaNodes: NODES });
const TOPICS = Object.values(Topics);
/**
 * Brokers killed, one after the other (each back in sync before the next): with two of three down
 * at once the controller quorum and min.insync.replicas are gone, which is an outage (scenario 3).
 */
const KILLS = FAULTS.brokerOutages;
const CHARGE_PARTITIONS = TOPIC_SPECS.find(
  (t) => t.topic === Topics.chargeRequested,
)!.numPartitions;

interface Failover {
  node: number;
  /** credit.charge.requested partitions it led when it was killed. */
  led: number;
  killedAt: number;
  /** From the kill until every partition had another leader. */
  electedMs: number;
  /** From the kill until the relay published and the ledger applied again (the node still down). */
  publishingBackMs: number;
  applyingBackMs: number;
  /** 202s while it was down. */
  acceptedWhileDown: number;
  restartedAt: number;
  /** When every replica was in sync again after its restart. */
  inSyncAt: number;
}

test(
  'partition leaders of a three-broker cluster killed one after another: every 202 reaches the ledger once',
  async () => {
    // The apps created the topics with the replication a three-broker cluster allows.
    expect(await replicationOf(stack, TOPICS)).toEqual(
      TOPICS.map((topic) => ({ topic, replicas: 3, minInsync: 2 })),
    );
    const grants = await grantSomeUsers(stack, FAULT_SHAPE);
    // Published: outbox rows the relay has marked sent, beside those waiting. Applied: charges in
    // the ledger, beside those published and not applied yet.
    const published = new ProgressSampler(async () => {
      const { rows } = await stack.gatewayDb.query<{ done: number; pending: number }>(
        `SELECT count(*) FILTER (WHERE published_at IS NOT NULL)::int AS done,
                count(*) FILTER (WHERE published_at IS NULL AND parked_at IS NULL)::int AS pending
           FROM outbox`,
      );
      return rows[0];
    });
    const applied = new ProgressSampler(async () => {
      const { rows } = await stack.storeDb.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ledger_entries WHERE source = $1`,
        [HTTP_SOURCE],
      );
      return { done: rows[0].n, pending: Math.max(0, published.latest - rows[0].n) };
    });
    published.start();
    applied.start();
    const client = new ChargeClient(stack.gatewayUrl, FAULT_SHAPE);
    const failovers: Failover[] = [];
    let outcome: HttpOutcome;
    try {
      // Each failover takes the controller's notice (broker.session.timeout.ms, 9 s), a restart
      // and a catch-up (10-40 s here): the workload is stretched by them, so that every kill falls
      // inside it.
      const failoverMs = (FAULTS.brokerDownSeconds + 45) * 1000;
      const charging = client.run(FAULTS.events, FAULTS.seconds * 1000 + KILLS * failoverMs);

      let back: Promise<void> = Promise.resolve();
      for (let kill = 1; kill <= KILLS; kill++) {
        await waitRecorded(stack, (kill * FAULTS.events * 0.85) / (KILLS + 1));
        // The node killed before is back in sync: one broker down at a time, as replication allows.
        await back;
        const partitions = await partitionsOf(stack, Topics.chargeRequested);
        const node = busiestLeader(
          partitions,
          failovers.slice(-(NODES - 1)).map((f) => f.node),
        );
        const publishedAtKill = published.latest;
        const appliedAtKill = applied.latest;
        const acceptedBefore = client.accepted.size;
        const killedAt = Date.now();
        await stack.killBrokerNode(node);
        await waitLeadersMoved(stack, Topics.chargeRequested, node);
        const electedMs = Date.now() - killedAt;
        // With one broker of three down, the partitions keep two in-sync replicas: the relay and the
        // consumer go on without it.
        const [publishingBack, applyingBack] = await Promise.all([
          published.waitPast(publishedAtKill),
          applied.waitPast(appliedAtKill),
        ]);
        await sleep(FAULTS.brokerDownSeconds * 1000);
        const failover: Failover = {
          node,
          led: partitions.filter((p) => p.leader === node).length,
          killedAt,
          electedMs,
          publishingBackMs: publishingBack - killedAt,
          applyingBackMs: applyingBack - killedAt,
          acceptedWhileDown: client.accepted.size - acceptedBefore,
          restartedAt: Date.now(),
          inSyncAt: NaN,
        };
        failovers.push(failover);
        // It comes back and catches up while the workload goes on.
        back = stack
          .startBroker()
          .then(() => waitFullyReplicated(stack, [...TOPICS, '__consumer_offsets']))
          .then(() => void (failover.inSyncAt = Date.now()));
        back.catch(() => undefined); // awaited later; not an unhandled rejection meanwhile
      }
      await charging;
      await back;
      outcome = await settleAndCheck(stack, client, grants);
    } finally {
      // Also when a step failed: the samplers' loops would keep Jest from exiting.
      await Promise.all([published.stop(), applied.stop()]);
    }

    const s = (ms: number) => (ms / 1000).toFixed(1);
    const figures: Record<string, string | number> = {
      'replication (all topics)': '3 replicas, min.insync.replicas 2, acks=all',
    };
    failovers.forEach((f, i) => {
      const pauses = (from: number, to: number) =>
        `${s(published.longestStall(from, to))} / ${s(applied.longestStall(from, to))}`;
      Object.assign(figures, {
        [`kill ${i + 1}: node (charge partitions it led)`]: `${f.node} (${f.led} of ${CHARGE_PARTITIONS})`,
        [`kill ${i + 1}: new leaders elected after (s)`]: s(f.electedMs),
        [`kill ${i + 1}: publishing / applying stalled (s, longest)`]: pauses(
          f.killedAt,
          f.restartedAt,
        ),
        [`kill ${i + 1}: published / applied again after (s, node down)`]: `${s(f.publishingBackMs)} / ${s(f.applyingBackMs)}`,
        [`kill ${i + 1}: 202s while down`]: f.acceptedWhileDown,
        [`kill ${i + 1}: restarted node in sync after (s)`]: s(f.inSyncAt - f.restartedAt),
        [`kill ${i + 1}: publishing / applying stalled while it caught up (s)`]: pauses(
          f.restartedAt,
          f.inSyncAt,
        ),
      });
    });
    printFigures(
      `8. a partition leader of a three-broker cluster killed (kill -9), ${KILLS} times`,
      {
        ...figures,
        ...httpFigures(client, outcome),
      },
    );
    // Every kill took a leader away, another broker each time, while charges were being accepted.
    expect(failovers).toHaveLength(KILLS);
    expect(failovers.every((f, i) => i === 0 || f.node !== failovers[i - 1].node)).toBe(true);
    expect(failovers.every((f) => f.led > 0 && f.acceptedWhileDown > 0)).toBe(true);
    expectExact(client, outcome);
  },
  SCENARIO_TIMEOUT_MS,
);
