import { Logger } from '@nestjs/common';
import { Admin, Kafka, KafkaJSError, logLevel, LogEntry } from 'kafkajs';
import { replicationFor, type TopicSpec } from '@tally/contracts';

/**
 * kafkajs's connection logs every error answer of the broker at error level before handing it to
 * its caller, which retries it or ignores it (TOPIC_ALREADY_EXISTS when both apps create the topics,
 * a coordinator still loading): only the caller knows whether it is a failure, so these are debug.
 */
function handedToCaller(entry: LogEntry): boolean {
  return entry.namespace === 'Connection' && entry.log.message.startsWith('Response ');
}

function nestLogCreator() {
  return (entry: LogEntry): void => {
    const logger = new Logger(`kafkajs:${entry.namespace}`);
    const { message, ...rest } = entry.log;
    const line = `${message} ${JSON.stringify(rest)}`;
    if (handedToCaller(entry)) logger.debug(line);
    else if (entry.level <= logLevel.ERROR) logger.error(line);
    else if (entry.level === logLevel.WARN) logger.warn(line);
    else logger.log(line);
  };
}

/** One kafkajs client per app, logging through Nest's logger (warnings and errors only). */
export function createKafka(clientId: string, brokers: string[]): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: nestLogCreator,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
  });
}

/**
 * Creates the topics an app uses if they are missing, with their fixed partition counts and the
 * replication the cluster allows (see replicationFor; decided from the brokers alive now, so a
 * cluster is brought up whole before the apps first start), then waits until every partition of
 * every topic has a leader. Explicit, because the brokers run with auto-creation off and kafkajs
 * fails once on a missing topic.
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
  timeoutMs = 30_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      const { brokers } = await admin.describeCluster();
      const { replicationFactor, minInsyncReplicas } = replicationFor(brokers.length);
      await admin.createTopics({
        // kafkajs' own wait gives up on the first broker that has not heard of the topic yet.
        waitForLeaders: false,
        topics: missing.map(({ topic, numPartitions, configEntries = [] }) => ({
          topic,
          numPartitions,
          replicationFactor,
          configEntries: [
            ...configEntries,
            { name: 'min.insync.replicas', value: String(minInsyncReplicas) },
          ],
        })),
      });
    }
    await waitForLeaders(
      admin,
      specs.map((spec) => spec.topic),
      timeoutMs,
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Until every partition of `topics` has a leader. On a cluster a new topic reaches the brokers'
 * metadata one by one: a broker that has not heard of it yet answers UNKNOWN_TOPIC_OR_PARTITION,
 * which only means "not yet".
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await admin.fetchTopicMetadata({ topics }).then(
      (metadata) =>
        metadata.topics.length === topics.length &&
        metadata.topics.every((topic) => topic.partitions.every((p) => p.leader >= 0)),
      (error: unknown) => {
        if (error instanceof KafkaJSError && error.retriable) return false;
        throw error;
      },
    );
    if (ready) return;
    if (Date.now() > deadline) {
      throw new Error(`Kafka topics without a leader after ${timeoutMs} ms: ${topics.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Injection token of the app's one kafkajs client (created at bootstrap, topics ensured). */
export const KAFKA = Symbol('tally:kafka');
