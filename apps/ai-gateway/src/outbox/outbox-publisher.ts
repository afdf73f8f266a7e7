import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { CompressionTypes, Partitioners, Producer } from 'kafkajs';
import { KAFKA, type Kafka } from '../kafka/kafka.provider';
import type { OutboxMessage } from './outbox.repository';

/** Sends outbox rows to Kafka: idempotent producer, acks from all replicas, order kept per key. */
@Injectable()
export class OutboxPublisher implements OnApplicationShutdown {
  private producer?: Producer;
  private connecting?: Promise<Producer>;

  constructor(@Inject(KAFKA) private readonly kafka: Kafka) {}

  async publish(messages: OutboxMessage[]): Promise<void> {
    const producer = await this.connected();
    const byTopic = new Map<string, OutboxMessage[]>();
    for (const message of messages) {
      const list = byTopic.get(message.topic) ?? [];
      list.push(message);
      byTopic.set(message.topic, list);
    }
    await producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((message) => ({
          key: message.key,
          value: JSON.stringify(message.payload),
          headers: { event_id: message.eventId, event_type: message.eventType },
        })),
      })),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer?.disconnect();
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
        retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
      });
      await producer.connect();
      this.producer = producer;
      return producer;
    })().finally(() => (this.connecting = undefined));
    return this.connecting;
  }
}
