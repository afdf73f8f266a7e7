import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { KAFKA, LazyProducer, messageBytes } from '@tally/platform';
import type { Kafka, Message } from 'kafkajs';
import type { OutboxMessage } from './outbox.repository';

function kafkaMessage(message: OutboxMessage): Message {
  return {
    key: message.key,
    value: message.payload,
    headers: {
      event_id: message.eventId,
      event_type: message.eventType,
      ...(message.requestId ? { request_id: message.requestId } : {}),
    },
  };
}

/** Sends outbox rows to Kafka, keyed by the row's key; the batch succeeds or fails as a whole. */
@Injectable()
export class OutboxPublisher implements OnApplicationShutdown {
  private readonly producer: LazyProducer;

  constructor(@Inject(KAFKA) kafka: Kafka) {
    this.producer = new LazyProducer(kafka);
  }

  /** What the row weighs as a Kafka message. */
  bytesOf(message: OutboxMessage): number {
    return messageBytes(kafkaMessage(message));
  }

  async publish(messages: OutboxMessage[]): Promise<void> {
    const byTopic = new Map<string, OutboxMessage[]>();
    for (const message of messages) {
      const list = byTopic.get(message.topic) ?? [];
      list.push(message);
      byTopic.set(message.topic, list);
    }
    await this.producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, list]) => ({
        topic,
        messages: list.map(kafkaMessage),
      })),
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.producer.disconnect();
  }
}
