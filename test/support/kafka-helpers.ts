import { createKafka } from '@tally/platform';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import { eventually, unique } from './wait';

export interface ReceivedMessage {
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

function kafka() {
  return createKafka(unique('tally-test'), [process.env.KAFKA_BROKERS!]);
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
}

/** Produces raw messages as another internal service would (no gateway involved). */
export async function produce(
  topic: string,
  messages: { key: string; value: string; headers?: Record<string, string> }[],
): Promise<void> {
  const producer = kafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

/**
 * Reads a topic from the beginning with a fresh group until `done(received)` holds, then returns
 * everything read so far.
 */
export async function readTopicUntil(
  topic: string,
  done: (messages: ReceivedMessage[]) => boolean,
  timeoutMs = 20_000,
): Promise<ReceivedMessage[]> {
  const consumer = kafka().consumer({ groupId: unique('tally-test-reader') });
  const received: ReceivedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message, partition }: { message: KafkaMessage; partition: number }) => {
        received.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? null,
          headers: headersOf(message.headers),
          partition,
          offset: message.offset,
        });
        return Promise.resolve();
      },
    });
    await eventually(
      () => {
        if (!done(received))
          throw new Error(`condition not met after ${received.length} messages of ${topic}`);
      },
      { timeoutMs },
    );
    return received;
  } finally {
    await consumer.disconnect();
  }
}
