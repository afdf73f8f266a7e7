import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PollingLoop } from '@tally/platform';
import { CreditStoreConfig } from '../config/credit-store.config';
import { ReconciliationService } from './reconciliation.service';

/**
 * The whole reconciliation at start and every RECONCILIATION_INTERVAL_SECONDS, so that its gauges
 * (and the alert on them) say whether the ledger's invariants hold without anyone asking. Read
 * only, on one snapshot: replicas running it at once only repeat the reading.
 */
@Injectable()
export class ReconciliationSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReconciliationSchedule.name);
  private readonly loop?: PollingLoop;

  constructor(reconciliation: ReconciliationService, config: CreditStoreConfig) {
    const seconds = config.RECONCILIATION_INTERVAL_SECONDS;
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
    this.loop?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }
}
