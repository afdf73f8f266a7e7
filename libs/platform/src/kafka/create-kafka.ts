import { Logger } from '@nestjs/common';
import { Kafka, logLevel, LogEntry } from 'kafkajs';
import type { TopicSpec } from '@tally/contracts';

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
 * Creates the topics an app uses if they are missing, with their fixed partition counts. Explicit,
 * because the brokers run with auto-creation off and kafkajs fails once on a missing topic.
 */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map(({ topic, numPartitions, configEntries }) => ({
          topic,
          numPartitions,
          configEntries,
        })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}

/** Injection token of the app's one kafkajs client (created at bootstrap, topics ensured). */
export const KAFKA = Symbol('tally:kafka');
