import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Topics } from '@tally/contracts';
import { KAFKA } from '@tally/platform';
import type { Admin, Kafka } from 'kafkajs';
import { Gauge, Registry } from 'prom-client';
import { CreditStoreConfig } from '../config/credit-store.config';

/**
 * Consumer lag per partition of credit.charge.requested: the partition's end offset minus the
 * group's committed offset, asked of the broker at scrape time (so it is the group's lag, whichever
 * replica owns the partition, and it shows a stalled consumer, which its own batches could not).
 */
@Injectable()
export class ConsumerLagMetrics implements OnApplicationShutdown {
  private readonly logger = new Logger(ConsumerLagMetrics.name);
  private admin?: Promise<Admin>;

  constructor(
    registry: Registry,
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly config: CreditStoreConfig,
  ) {
    const lagOf = () => this.lag();
    new Gauge({
      name: 'tally_consumer_lag',
      help: 'Messages of the topic not yet committed by the ledger consumer group, per partition',
      labelNames: ['topic', 'partition'],
      registers: [registry],
      async collect() {
        const lag = await lagOf();
        if (!lag) return;
        this.reset();
        for (const [partition, value] of lag) {
          this.set({ topic: Topics.chargeRequested, partition: String(partition) }, value);
        }
      },
    });
  }

  private async lag(): Promise<Map<number, number> | undefined> {
    try {
      const admin = await this.connect();
      const topic = Topics.chargeRequested;
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId: this.config.CREDIT_STORE_CONSUMER_GROUP, topics: [topic] }),
      ]);
      const done = new Map(committed.partitions.map((p) => [p.partition, BigInt(p.offset)]));
      return new Map(
        ends.map(({ partition, high, low }) => {
          // -1: the group never committed here; it will start from the earliest offset.
          const from = done.get(partition) ?? -1n;
          const position = from < 0n ? BigInt(low) : from;
          return [partition, Number(BigInt(high) - position)];
        }),
      );
    } catch (error) {
      this.logger.warn(`consumer lag unavailable: ${String(error)}`);
      this.admin = undefined;
      return undefined;
    }
  }

  private connect(): Promise<Admin> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      return admin;
    })();
    return this.admin;
  }

  async onApplicationShutdown(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await (await admin?.catch(() => undefined))?.disconnect();
  }
}
