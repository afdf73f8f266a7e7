import { Kafka, KafkaJSProtocolError } from 'kafkajs';
import { KafkaBatchTransport } from './kafka-batch.transport';

/** A consumer whose subscribe first answers `unknownAnswers` UNKNOWN_TOPIC_OR_PARTITION. */
function fakeKafka(unknownAnswers: number, otherError?: Error) {
  const calls = { subscribe: 0, run: 0 };
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
  };
  return { kafka: { consumer: () => consumer } as unknown as Kafka, calls };
}

function listen(kafka: Kafka): Promise<unknown> {
  const transport = new KafkaBatchTransport({
    kafka,
    groupId: 'g',
    partitionsConsumedConcurrently: 1,
  });
  transport.addHandler('credit.charge.requested', () => Promise.resolve(), true);
  return new Promise((resolve) => void transport.listen(resolve));
}

describe('KafkaBatchTransport.listen', () => {
  it('waits while the broker it asks has not heard of a new topic yet, then consumes', async () => {
    const { kafka, calls } = fakeKafka(2);
    await expect(listen(kafka)).resolves.toBeUndefined();
    expect(calls).toEqual({ subscribe: 3, run: 1 });
  });

  it('fails at once on any other error', async () => {
    const { kafka, calls } = fakeKafka(0, new Error('broker says no'));
    expect(await listen(kafka)).toEqual(new Error('broker says no'));
    expect(calls).toEqual({ subscribe: 1, run: 0 });
  });
});
