import { Kafka, KafkaJSProtocolError } from 'kafkajs';
import type { ClockPair } from '../runtime/wall-clock-watch';
import { KafkaBatchTransport } from './kafka-batch.transport';

/** A consumer whose subscribe first answers `unknownAnswers` UNKNOWN_TOPIC_OR_PARTITION. */
function fakeKafka(unknownAnswers: number, otherError?: Error) {
  const calls = { subscribe: 0, run: 0, stop: 0 };
  let unknown = unknownAnswers;
  const consumer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    subscribe: () => {
      calls.subscribe++;
      if (otherError) return Promise.reject(otherError);
      if (unknown-- > 0) {
        const error = new KafkaJSProtocolError('This server does not host this topic-partition');
        return Promise.reject(Object.assign(error, { type: 'UNKNOWN_TOPIC_OR_PARTITION' }));
      }
      return Promise.resolve();
    },
    run: () => {
      calls.run++;
      return Promise.resolve();
    },
    stop: () => {
      calls.stop++;
      return Promise.resolve();
    },
  };
  return { kafka: { consumer: () => consumer } as unknown as Kafka, calls };
}

function listen(kafka: Kafka, clocks?: ClockPair): Promise<unknown> {
  const transport = new KafkaBatchTransport({
    kafka,
    groupId: 'g',
    partitionsConsumedConcurrently: 1,
    clocks,
  });
  transport.addHandler('credit.charge.requested', () => Promise.resolve(), true);
  return new Promise((resolve) => void transport.listen(resolve));
}

describe('KafkaBatchTransport.listen', () => {
  it('waits while the broker it asks has not heard of a new topic yet, then consumes', async () => {
    const { kafka, calls } = fakeKafka(2);
    await expect(listen(kafka)).resolves.toBeUndefined();
    expect(calls).toEqual({ subscribe: 3, run: 1, stop: 0 });
  });

  it('fails at once on any other error', async () => {
    const { kafka, calls } = fakeKafka(0, new Error('broker says no'));
    expect(await listen(kafka)).toEqual(new Error('broker says no'));
    expect(calls).toEqual({ subscribe: 1, run: 0, stop: 0 });
  });

  it('runs its consumer again (a fresh group member) when the wall clock steps back', async () => {
    // kafkajs beats only once Date.now() passes its last heartbeat: after a step back it would
    // stay silent for as long as the step, and the group would drop it.
    jest.useFakeTimers();
    try {
      let wall = 1_796_554_000_000;
      const clocks: ClockPair = { wall: () => wall, monotonic: () => 0 };
      const { kafka, calls } = fakeKafka(0);
      await listen(kafka, clocks);
      await jest.advanceTimersByTimeAsync(1_000);
      expect(calls).toMatchObject({ run: 1, stop: 0 });
      wall -= 600_000;
      await jest.advanceTimersByTimeAsync(1_000);
      expect(calls).toMatchObject({ run: 2, stop: 1 });
    } finally {
      jest.useRealTimers();
    }
  });
});
