import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import type { InboundBatch } from './inbound-batch';

export interface KafkaBatchTransportOptions {
  kafka: Kafka;
  groupId: string;
  /** Partitions handled at once by this process. */
  partitionsConsumedConcurrently: number;
}

/**
 * A Nest microservice transport over kafkajs `eachBatch`. The stock Kafka transport hands messages
 * over one by one and commits on its own schedule; a ledger needs a whole batch per database
 * transaction and the offset committed only after that transaction. So: the `@EventPattern(topic)`
 * handler gets an InboundBatch; when it resolves, the batch's offsets are committed; when it throws,
 * nothing is committed and kafkajs delivers the batch again (after a back-off).
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  private consumer?: Consumer;

  constructor(private readonly options: KafkaBatchTransportOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const consumer = this.options.kafka.consumer({
        groupId: this.options.groupId,
        allowAutoTopicCreation: false,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
      });
      this.consumer = consumer;
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.messageHandlers.keys()], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.handleBatch(payload),
      });
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  on(): never {
    throw new Error('KafkaBatchTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.isEmpty() || !payload.isRunning() || payload.isStale()) return;
    const handler = this.getHandlerByPattern(batch.topic);
    if (!handler) throw new Error(`no handler for topic ${batch.topic}`);
    const inbound: InboundBatch = {
      topic: batch.topic,
      partition: batch.partition,
      heartbeat: () => payload.heartbeat(),
      messages: batch.messages.map((message) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key,
        value: message.value,
        headers: message.headers ?? {},
      })),
    };
    await lastValueFrom(this.transformToObservable(await handler(inbound)), {
      defaultValue: undefined,
    });
    const last = batch.lastOffset();
    payload.resolveOffset(last);
    await this.consumer!.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
    ]);
    await payload.heartbeat();
  }
}
