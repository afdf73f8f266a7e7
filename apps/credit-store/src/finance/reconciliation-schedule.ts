import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PollingLoop } from '@tally/platform';
import { CreditStoreConfig } from '../config/credit-store.config';
import { ReconciliationService } from './reconciliation.service';

/**
 * The whole reconciliation RECONCILIATION_FIRST_DELAY_SECONDS after start and then every
 * RECONCILIATION_INTERVAL_SECONDS, so that its gauges (and the alert on them) say whether the
 * ledger's invariants hold without anyone asking. Read only, on one snapshot: replicas running it
 * at once only repeat the reading.
 */
@Injectable()
export class ReconciliationSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReconciliationSchedule.name);
  private readonly loop?: PollingLoop;
  private readonly firstDelayMs: number;
  private firstRun?: NodeJS.Timeout;

  constructor(reconciliation: ReconciliationService, config: CreditStoreConfig) {
    const seconds = config.RECONCILIATION_INTERVAL_SECONDS;
    this.firstDelayMs = config.RECONCILIATION_FIRST_DELAY_SECONDS * 1000;
    if (seconds > 0) {
      this.loop = new PollingLoop(
        ReconciliationSchedule.name,
        async () => {
          const result = await reconciliation.reconcile();
          if (!result.ok) {
            this.logger.error(`reconciliation found ${result.mismatches.length} mismatches`);
          }
          return 0;
        },
        { intervalMs: seconds * 1000, maxBackoffMs: seconds * 1000 },
      );
    }
  }

  onApplicationBootstrap(): void {
    const loop = this.loop;
    if (!loop) return;
    if (this.firstDelayMs === 0) loop.start();
    else this.firstRun = setTimeout(() => loop.start(), this.firstDelayMs);
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.firstRun);
    await this.loop?.stop();
  }
}
