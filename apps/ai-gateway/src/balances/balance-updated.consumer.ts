import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { BalanceSnapshot, parseBalanceUpdated, Topics } from '@tally/contracts';
import type { InboundBatch, InboundMessage } from '@tally/platform';
import { DataSource } from 'typeorm';
import { BalanceSnapshotMetrics } from './balance-snapshot.metrics';
import { BalanceViewRepository } from './balance-view.repository';

/** Feeds the guard's balance view from `credit.balance.updated` (a partition's batch per call). */
@Controller()
export class BalanceUpdatedConsumer {
  private readonly logger = new Logger(BalanceUpdatedConsumer.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly view: BalanceViewRepository,
    private readonly metrics: BalanceSnapshotMetrics,
  ) {}

  @EventPattern(Topics.balanceUpdated)
  async handle(@Payload() batch: InboundBatch): Promise<void> {
    const snapshots: BalanceSnapshot[] = [];
    for (const message of batch.messages) {
      const snapshot = this.parse(message);
      if (snapshot) snapshots.push(snapshot);
    }
    await this.view.saveSnapshots(this.dataSource.manager, snapshots);
  }

  /**
   * A snapshot is replaced by the user's next one, so a bad one is skipped, never retried; but
   * loudly, since that user's view stays stale until then.
   */
  private parse(message: InboundMessage): BalanceSnapshot | undefined {
    const parsed = parseBalanceUpdated(message.value);
    if (parsed.ok) return parsed.event.payload;
    const { reasons } = parsed;
    this.metrics.skippedOne();
    this.logger.warn(
      `skipped an unreadable snapshot (key ${String(message.key)}, partition ${message.partition}, offset ${message.offset}): ${reasons.join('; ').slice(0, 500)}`,
    );
    return undefined;
  }
}
