import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PollingLoop } from '@tally/platform';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../config/gateway.config';
import { OutboxRepository } from './outbox.repository';

const BATCH = 5000;
const INTERVAL_MS = 60_000;

/**
 * Deletes published outbox rows older than OUTBOX_RETENTION_HOURS, so the table holds days of
 * traffic rather than all of it. Safe to run on every replica at once: a row is deleted once
 * whoever gets there first, and an unpublished row is never touched. Idempotency does not rest on
 * these rows (a repeated charge is recognised by the charges table).
 */
@Injectable()
export class OutboxPruner implements OnApplicationBootstrap, OnApplicationShutdown {
  // prune() drains all that is due in one run: answering 0 makes the loop wait its interval
  // instead of coming back at once for a pass that finds nothing.
  private readonly loop = new PollingLoop(OutboxPruner.name, () => this.prune().then(() => 0), {
    intervalMs: INTERVAL_MS,
    maxBackoffMs: INTERVAL_MS,
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxRepository,
    private readonly config: GatewayConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /**
   * Deletes what is old enough, a batch per statement, and returns how many rows went. The
   * boundary is found once per run: finding it scans the rows still to delete, so per batch it
   * would cost a backlog's square.
   */
  async prune(): Promise<number> {
    const db = this.dataSource.manager;
    const cutoff = new Date(Date.now() - this.config.OUTBOX_RETENTION_HOURS * 3_600_000);
    const belowId = await this.outbox.firstIdSince(db, cutoff);
    let pruned = 0;
    for (;;) {
      const deleted = await this.outbox.deletePublished(db, belowId, BATCH);
      pruned += deleted;
      if (deleted < BATCH) return pruned;
    }
  }
}
