import {
  Kafka,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  ProducerBatch,
  ProducerConfig,
} from 'kafkajs';
import { LazyProducer } from './lazy-producer';

/** A kafkajs client whose producer's sends answer `outcomes` in turn (an Error rejects). */
function fakeKafka(outcomes: (Error | 'ok')[]) {
  const configs: ProducerConfig[] = [];
  const batches: ProducerBatch[] = [];
  const producer = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    sendBatch: (batch: ProducerBatch) => {
      batches.push(batch);
      const outcome = outcomes.shift() ?? 'ok';
      return outcome === 'ok' ? Promise.resolve([]) : Promise.reject(outcome);
    },
  };
  const kafka = {
    producer: (config: ProducerConfig) => {
      configs.push(config);
      return producer;
    },
  } as unknown as Kafka;
  return { kafka, configs, batches };
}

const batch = {
  topicMessages: [{ topic: 't', messages: [{ key: 'a', value: '1' }] }],
};
/** What kafkajs answers, with no retries of its own, when a broker is down or a leader moved. */
const brokerDown = () =>
  new KafkaJSNumberOfRetriesExceeded(new Error('Connection closed'), {
    retryCount: 0,
    retryTime: 100,
  });

describe('LazyProducer', () => {
  it('leaves retries to itself, not to kafkajs, one request in flight', async () => {
    const { kafka, configs } = fakeKafka(['ok']);
    await new LazyProducer(kafka).sendBatch(batch);
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatchObject({ maxInFlightRequests: 1, retry: { retries: 0 } });
  });

  it('sends a failed batch again whole, as a new send, each time with acks=all', async () => {
    const { kafka, batches } = fakeKafka([brokerDown(), brokerDown(), 'ok']);
    await new LazyProducer(kafka).sendBatch(batch);
    expect(batches).toEqual([1, 2, 3].map(() => ({ ...batch, acks: -1 })));
  });

  it('gives up after three retries, and at once on an error a retry cannot mend', async () => {
    const down = fakeKafka([brokerDown(), brokerDown(), brokerDown(), brokerDown()]);
    await expect(new LazyProducer(down.kafka).sendBatch(batch)).rejects.toBeInstanceOf(
      KafkaJSNumberOfRetriesExceeded,
    );
    expect(down.batches).toHaveLength(4);

    const refused = fakeKafka([new KafkaJSNonRetriableError('MESSAGE_TOO_LARGE')]);
    await expect(new LazyProducer(refused.kafka).sendBatch(batch)).rejects.toThrow(
      'MESSAGE_TOO_LARGE',
    );
    expect(refused.batches).toHaveLength(1);
  });
});
