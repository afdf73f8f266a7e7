import { Kafka, KafkaJSProtocolError, ITopicConfig } from 'kafkajs';
import { TOPIC_SPECS, Topics, replicationFor } from '@tally/contracts';
import { ensureTopics } from './create-kafka';

/** An UNKNOWN_TOPIC_OR_PARTITION answer, as kafkajs raises it. */
function unknownTopic(): KafkaJSProtocolError {
  return Object.assign(new KafkaJSProtocolError('This server does not host this topic-partition'), {
    type: 'UNKNOWN_TOPIC_OR_PARTITION',
    retriable: true,
  });
}

/**
 * A kafkajs admin over a cluster of `brokers` that has none of the topics, and whose metadata
 * answers only know them after `unknownAnswers` UNKNOWN_TOPIC_OR_PARTITION answers.
 */
function fakeCluster(brokers: number, unknownAnswers = 0) {
  const created: ITopicConfig[] = [];
  let unknown = unknownAnswers;
  const admin = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    listTopics: () => Promise.resolve(created.map((t) => t.topic)),
    describeCluster: () =>
      Promise.resolve({
        brokers: Array.from({ length: brokers }, (_, i) => ({ nodeId: i + 1 })),
      }),
    createTopics: ({ topics }: { topics: ITopicConfig[] }) => {
      created.push(...topics);
      return Promise.resolve(true);
    },
    fetchTopicMetadata: ({ topics }: { topics: string[] }) => {
      if (unknown-- > 0) return Promise.reject(unknownTopic());
      return Promise.resolve({
        topics: topics.map((name) => ({ name, partitions: [{ partitionId: 0, leader: 1 }] })),
      });
    },
  };
  return { kafka: { admin: () => admin } as unknown as Kafka, created, unknownLeft: () => unknown };
}

describe('replicationFor', () => {
  it('keeps three copies, two in sync, on three brokers or more; what fewer brokers can hold', () => {
    expect(replicationFor(5)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(replicationFor(3)).toEqual({ replicationFactor: 3, minInsyncReplicas: 2 });
    expect(replicationFor(2)).toEqual({ replicationFactor: 2, minInsyncReplicas: 1 });
    expect(replicationFor(1)).toEqual({ replicationFactor: 1, minInsyncReplicas: 1 });
  });
});

describe('ensureTopics', () => {
  it.each([
    [3, 3, '2'],
    [1, 1, '1'],
  ])(
    'on %i broker(s) creates every topic with replication %i and min.insync.replicas %s',
    async (brokers, replicationFactor, minInsync) => {
      const cluster = fakeCluster(brokers);
      await ensureTopics(cluster.kafka, TOPIC_SPECS);
      expect(cluster.created.map((t) => t.topic)).toEqual(TOPIC_SPECS.map((s) => s.topic));
      for (const topic of cluster.created) {
        expect(topic.replicationFactor).toBe(replicationFactor);
        expect(topic.configEntries).toContainEqual({
          name: 'min.insync.replicas',
          value: minInsync,
        });
      }
      // A topic's own settings are kept beside the replication.
      const snapshots = cluster.created.find((t) => t.topic === Topics.balanceUpdated)!;
      expect(snapshots.configEntries).toContainEqual({ name: 'cleanup.policy', value: 'compact' });
    },
  );

  it('waits while the brokers have not heard of the new topics yet', async () => {
    const cluster = fakeCluster(3, 3);
    await expect(ensureTopics(cluster.kafka, TOPIC_SPECS)).resolves.toBeUndefined();
    expect(cluster.unknownLeft()).toBeLessThan(0);
  });

  it('gives up, naming the topics, when they never get a leader', async () => {
    const cluster = fakeCluster(3, Number.POSITIVE_INFINITY);
    await expect(ensureTopics(cluster.kafka, TOPIC_SPECS, 300)).rejects.toThrow(
      /without a leader after 300 ms: credit\.charge\.requested/,
    );
  });
});
