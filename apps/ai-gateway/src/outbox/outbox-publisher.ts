import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { LazyProducer } from '@tally/platform';
import { KAFKA } from '@tally/platform';
import type { Kafka } from 'kafkajs';
import type { OutboxMessage } from './outbox.repository';

/** Sends outbox rows to Kafka, keyed by the row's key; the batch succeeds or fails as a whole. */
@Injectable()
export class OutboxPublisher implements OnApplicationShutdown {
  private readonly producer: LazyProducer;

  constructor(@Inject(KAFKA) kafka: Kafka) {
    this.producer = new LazyProducer(kafka);
  }

  async publish(messages: OutboxMessage[]): Promise<void> {
    const byTopic = new Map<string, OutboxMessage[]>();
    for (const message of messages) {
      const list = byTopic.get(message.topic) ?? [];
      list.push(message);
      byTopic.set(message.topic, list);
    }
    const producer = await this.producer.get();
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map((message) => ({
          key: message.key,
          value: message.payload,
          headers: {
            event_id: message.eventId,
            event_type: message.eventType,
            ...(message.requestId ? { request_id: message.requestId } : {}),
          },
        })),
      })),
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.producer.disconnect();
  }
}
