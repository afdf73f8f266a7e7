import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { BalanceSnapshot, BalanceUpdatedEvent, Topics, validatePlain } from '@tally/contracts';
import type { InboundBatch } from '@tally/platform';
import { DataSource } from 'typeorm';
import { BalanceViewRepository } from './balance-view.repository';

/** Feeds the guard's balance view from `credit.balance.updated` (a partition's batch per call). */
@Controller()
export class BalanceUpdatedConsumer {
  private readonly logger = new Logger(BalanceUpdatedConsumer.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly view: BalanceViewRepository,
  ) {}

  @EventPattern(Topics.balanceUpdated)
  async handle(@Payload() batch: InboundBatch): Promise<void> {
    const snapshots: BalanceSnapshot[] = [];
    for (const message of batch.messages) {
      const snapshot = this.parse(message.value);
      if (snapshot) snapshots.push(snapshot);
      else this.logger.warn(`skipped an unreadable snapshot at offset ${message.offset}`);
    }
    await this.view.saveSnapshots(this.dataSource.manager, snapshots);
  }

  /** A snapshot is replaced by the next one anyway: a bad one is skipped, never retried. */
  private parse(value: Buffer | null): BalanceSnapshot | undefined {
    try {
      const parsed = validatePlain(BalanceUpdatedEvent, JSON.parse(String(value)));
      return parsed.ok ? parsed.value.payload : undefined;
    } catch {
      return undefined;
    }
  }
}
