import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DlqHeaders, ErrorCode, Topics } from '@tally/contracts';
import { InboundMessage, KAFKA, LazyProducer } from '@tally/platform';
import type { Kafka } from 'kafkajs';

export interface DeadLetter {
  message: InboundMessage;
  code: ErrorCode;
  reasons: string[];
}

/**
 * Sends messages the ledger cannot apply to `credit.charge.requested.dlq`: the original key and
 * bytes (so they can be fixed and replayed) plus headers saying why and where they came from.
 */
@Injectable()
export class DeadLetterPublisher implements OnApplicationShutdown {
  private readonly producer: LazyProducer;

  constructor(@Inject(KAFKA) kafka: Kafka) {
    this.producer = new LazyProducer(kafka);
  }

  async publish(letters: DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const producer = await this.producer.get();
    const failedAt = new Date().toISOString();
    await producer.send({
      topic: Topics.chargeRequestedDlq,
      acks: -1,
      messages: letters.map(({ message, code, reasons }) => ({
        key: message.key,
        value: message.value,
        headers: {
          ...message.headers,
          [DlqHeaders.code]: code,
          [DlqHeaders.reason]: reasons.join('; ').slice(0, 4000),
          [DlqHeaders.sourceTopic]: message.topic,
          [DlqHeaders.sourcePartition]: String(message.partition),
          [DlqHeaders.sourceOffset]: message.offset,
          [DlqHeaders.failedAt]: failedAt,
        },
      })),
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.producer.disconnect();
  }
}
