import { Admin, ConfigResourceTypes, PartitionMetadata } from 'kafkajs';
import { sleep } from '../../../bench/support/bench-stack';
import type { FaultStack } from './fault-stack';

/** A topic's replication as the cluster reports it. */
export interface TopicReplication {
  topic: string;
  /** The fewest replicas any of its partitions has. */
  replicas: number;
  /** Its min.insync.replicas setting. */
  minInsync: number;
}

async function withAdmin<T>(stack: FaultStack, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** The partitions of `topic` (leader, replicas, in-sync replicas), asked of a live broker. */
export function partitionsOf(stack: FaultStack, topic: string): Promise<PartitionMetadata[]> {
  return withAdmin(stack, async (admin) => {
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    return topics[0].partitions;
  });
}

export function replicationOf(stack: FaultStack, topics: string[]): Promise<TopicReplication[]> {
  return withAdmin(stack, async (admin) => {
    const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: ['min.insync.replicas'],
      })),
    });
    return topics.map((topic) => ({
      topic,
      replicas: Math.min(
        ...metadata.find((t) => t.name === topic)!.partitions.map((p) => p.replicas.length),
      ),
      minInsync: Number(
        resources.find((r) => r.resourceName === topic)!.configEntries[0].configValue,
      ),
    }));
  });
}

/** The node that leads the most of `partitions` (the lowest id on a tie), `except` some. */
export function busiestLeader(partitions: PartitionMetadata[], except: number[] = []): number {
  const led = new Map<number, number>();
  for (const { leader } of partitions) {
    if (!except.includes(leader)) led.set(leader, (led.get(leader) ?? 0) + 1);
  }
  return [...led].sort(([a, n], [b, m]) => m - n || a - b)[0][0];
}

/**
 * Until every partition of `topic` has a live leader other than `node`: the controller has noticed
 * that the node is gone and elected new leaders from the in-sync replicas.
 */
export async function waitLeadersMoved(
  stack: FaultStack,
  topic: string,
  node: number,
  timeoutMs = 60_000,
): Promise<PartitionMetadata[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const partitions = await partitionsOf(stack, topic).catch(() => undefined);
    if (partitions?.every((p) => p.leader >= 0 && p.leader !== node)) return partitions;
    if (Date.now() > deadline) throw new Error(`${topic} kept node ${node} as a leader`);
    await sleep(100);
  }
}

/** Until every partition of `topics` has all its replicas in sync again (a node caught up). */
export async function waitFullyReplicated(
  stack: FaultStack,
  topics: string[],
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const synced = await withAdmin(stack, async (admin) => {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
      return metadata.every((t) => t.partitions.every((p) => p.isr.length === p.replicas.length));
    }).catch(() => false);
    if (synced) return;
    if (Date.now() > deadline) throw new Error(`${topics.join(', ')} not back in sync in time`);
    await sleep(200);
  }
}
