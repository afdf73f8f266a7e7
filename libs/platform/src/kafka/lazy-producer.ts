import { Kafka, Partitioners, Producer } from 'kafkajs';

/**
 * A producer that waits for all in-sync replicas and keeps one request in flight, so a retry never
 * reorders a key's messages; connected on first use, so an app boots while the broker is down.
 * Not kafkajs' idempotent mode: its bounded retries (which we need, to hand failures back to the
 * caller) can leave sequence numbers out of step; a retried batch may be duplicated instead, which
 * every consumer here absorbs by event_id.
 */
export class LazyProducer {
  private producer?: Promise<Producer>;

  constructor(private readonly kafka: Kafka) {}

  get(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
      });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.producer = undefined;
      throw error;
    });
    return this.producer;
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (producer) await (await producer).disconnect();
  }
}
