import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Consumer, ConsumerRunConfig, EachBatchPayload, Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { ClockPair, WallClockWatch } from '../runtime/wall-clock-watch';
import type { InboundBatch } from './inbound-batch';

export interface KafkaBatchTransportOptions {
  kafka: Kafka;
  groupId: string;
  /** Partitions handled at once by this process. */
  partitionsConsumedConcurrently: number;
  /**
   * How big a batch may grow and how long the broker may linger to fill one (kafkajs fetch
   * settings); each partition's batch is one call of the handler. Defaults: kafkajs's 1 MiB per
   * partition, no minimum, 500 ms wait while idle.
   */
  fetch?: { maxBytesPerPartition?: number; minBytes?: number; maxWaitTimeInMs?: number };
  /** How long a silent (crashed) consumer keeps its partitions; default 30 s. */
  sessionTimeoutMs?: number;
  /** The clocks watched for a step back (the system's; a test's). */
  clocks?: ClockPair;
}

/**
 * Subscribes, waiting (30 s at most) while the broker asked has not heard of a topic yet: on a
 * cluster a new topic reaches the brokers' metadata one by one, and the broker that told
 * ensureTopics it had a leader may not be the one this consumer asks.
 */
async function subscribeOnceKnown(consumer: Consumer, topics: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await consumer.subscribe({ topics, fromBeginning: true });
    } catch (error) {
      const unknown = (error as { type?: unknown }).type === 'UNKNOWN_TOPIC_OR_PARTITION';
      if (!unknown || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
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
  private runConfig?: ConsumerRunConfig;
  private rejoining?: Promise<void>;
  private readonly clockWatch: WallClockWatch;

  constructor(private readonly options: KafkaBatchTransportOptions) {
    super();
    this.clockWatch = new WallClockWatch((ms) => void this.rejoin(ms), 1_000, options.clocks);
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const sessionTimeout = this.options.sessionTimeoutMs ?? 30_000;
      const consumer = this.options.kafka.consumer({
        groupId: this.options.groupId,
        allowAutoTopicCreation: false,
        sessionTimeout,
        // At least three heartbeats per session, so one late beat does not cost the partitions.
        heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
        maxWaitTimeInMs: 500,
        ...this.options.fetch,
      });
      this.consumer = consumer;
      await consumer.connect();
      await subscribeOnceKnown(consumer, [...this.messageHandlers.keys()]);
      this.runConfig = {
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.handleBatch(payload),
      };
      await consumer.run(this.runConfig);
      this.clockWatch.start();
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.clockWatch.stop();
    const consumer = this.consumer;
    this.consumer = undefined;
    await this.rejoining;
    await consumer?.disconnect();
  }

  /**
   * After the wall clock stepped back, kafkajs would send no heartbeat until Date.now() passed the
   * last one again (minutes, for an NTP step), and the group would drop this consumer once its
   * session timed out (then take it back at its next commit, and drop it again). A fresh run is a
   * fresh member whose heartbeats start from the new time: it leaves the group and joins again
   * (one rebalance). A run that fails is tried again each second until it starts or we close.
   */
  private async rejoin(stepMs: number): Promise<void> {
    if (this.rejoining || !this.consumer || !this.runConfig) return;
    this.logger.warn(
      `the wall clock stepped back ${Math.round(stepMs)} ms: the Kafka consumer rejoins its group so that its heartbeats go on`,
    );
    const rejoin = async (consumer: Consumer, config: ConsumerRunConfig) => {
      await consumer.stop().catch((error: unknown) => {
        this.logger.error(`the Kafka consumer did not stop cleanly: ${String(error)}`);
      });
      while (this.consumer === consumer) {
        try {
          return await consumer.run(config);
        } catch (error) {
          this.logger.error(`the Kafka consumer could not run again: ${String(error)}`);
          await new Promise((resolve) => setTimeout(resolve, 1_000));
        }
      }
    };
    this.rejoining = rejoin(this.consumer, this.runConfig).finally(() => {
      this.rejoining = undefined;
    });
    await this.rejoining;
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
    // Through the batch's own handle, not consumer.commitOffsets(): that one silently does nothing
    // once the consumer is stopping, so a graceful shutdown left the batch it waited for applied
    // but uncommitted (read again by the next consumer; test/graceful-shutdown.e2e-spec.ts).
    await payload.commitOffsetsIfNecessary({
      topics: [
        {
          topic: batch.topic,
          partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
        },
      ],
    });
    await payload.heartbeat();
  }
}
