import {
  Kafka,
  KafkaJSNumberOfRetriesExceeded,
  Partitioners,
  Producer,
  ProducerBatch,
  ProducerRecord,
  RecordMetadata,
} from 'kafkajs';

/** A send that failed for a reason a later one may overcome is sent again, backing off. */
const RETRIES = 3;
const INITIAL_RETRY_MS = 200;
const MAX_RETRY_MS = 2000;

/**
 * A producer whose every send waits for all in-sync replicas (acks=all: with min.insync.replicas 2
 * an acknowledged message survives the loss of any one broker) and keeps one request in flight, so
 * a retry never reorders a key's messages; connected on first use, so an app boots while the
 * broker is down.
 *
 * A retry is a new send of the whole batch, never kafkajs' own: within one send kafkajs skips, on
 * a retry, every broker that answered an earlier attempt, so the partitions that moved to such a
 * broker when their leader died are never sent, and the send still resolves (kafkajs issue #1303;
 * the cluster fault scenario lost 9 acknowledged charges that way). A batch sent again may put some
 * messages on the topic twice, which every consumer here absorbs by event_id. Not kafkajs'
 * idempotent mode either: its sequence numbers need kafkajs' retries.
 */
export class LazyProducer {
  private producer?: Promise<Producer>;

  constructor(private readonly kafka: Kafka) {}

  send(record: Omit<ProducerRecord, 'acks'>): Promise<RecordMetadata[]> {
    return this.withRetries((producer) => producer.send({ ...record, acks: -1 }));
  }

  sendBatch(batch: Omit<ProducerBatch, 'acks'>): Promise<RecordMetadata[]> {
    return this.withRetries((producer) => producer.sendBatch({ ...batch, acks: -1 }));
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await (await producer).disconnect();
  }

  private async withRetries(
    send: (producer: Producer) => Promise<RecordMetadata[]>,
  ): Promise<RecordMetadata[]> {
    const producer = await this.connected();
    for (let retry = 0; ; retry++) {
      try {
        return await send(producer);
      } catch (error) {
        // kafkajs (with no retries of its own) says a retriable failure so; anything else (a
        // message the broker refuses for what it is) would fail again.
        if (retry >= RETRIES || !(error instanceof KafkaJSNumberOfRetriesExceeded)) throw error;
        const backoff = Math.min(INITIAL_RETRY_MS * 2 ** retry, MAX_RETRY_MS);
        await new Promise((resolve) => setTimeout(resolve, backoff));
      }
    }
  }

  private connected(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 0 },
      });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.producer = undefined;
      throw error;
    });
    return this.producer;
  }
}
