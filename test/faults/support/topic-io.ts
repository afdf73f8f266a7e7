import type { IHeaders, Message } from 'kafkajs';
import { sleep } from '../../../bench/support/bench-stack';
import type { FaultStack } from './fault-stack';

export interface ReadMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Produces the messages spread evenly over `durationMs` (a slice every 100 ms), keyed as given,
 * acknowledged by the broker, in order: so that faults injected meanwhile land mid-workload.
 * `beforeSlice(sent)`, if given, is awaited before each slice: a scenario holds the producer back
 * with it until its faults have caught up; the slices held back then go out as fast as allowed.
 */
export async function produceOverTime(
  stack: FaultStack,
  topic: string,
  messages: Message[],
  durationMs: number,
  beforeSlice?: (sent: number) => Promise<void>,
): Promise<void> {
  const producer = stack.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const ticks = Math.max(1, Math.floor(durationMs / 100));
    const slice = Math.ceil(messages.length / ticks);
    const started = Date.now();
    for (let tick = 0; tick * slice < messages.length; tick++) {
      await beforeSlice?.(tick * slice);
      await producer.send({
        topic,
        acks: -1,
        messages: messages.slice(tick * slice, (tick + 1) * slice),
      });
      await sleep(started + (tick + 1) * 100 - Date.now());
    }
  } finally {
    await producer.disconnect();
  }
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k, String(v)]));
}

/** Every message a topic holds, read from the beginning by a group of its own. */
export async function readWholeTopic(stack: FaultStack, topic: string): Promise<ReadMessage[]> {
  const size = await stack.topicSize(topic);
  const received: ReadMessage[] = [];
  if (size === 0) return received;
  const consumer = stack.kafka.consumer({ groupId: `tally-faults-reader-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        received.push({
          key: message.key?.toString() ?? null,
          value: message.value,
          headers: headersOf(message.headers),
        });
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + 60_000;
    while (received.length < size) {
      if (Date.now() > deadline) throw new Error(`read ${received.length} of ${size} of ${topic}`);
      await sleep(100);
    }
    return received;
  } finally {
    await consumer.disconnect();
  }
}
