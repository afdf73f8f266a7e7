import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PollingLoop } from '@tally/platform';
import { DataSource } from 'typeorm';
import { CreditStoreConfig } from '../config/credit-store.config';
import { GrantRepository } from '../ledger/grants/grant.repository';
import { HoldsService } from '../holds/holds.service';
import { LedgerService } from '../ledger/ledger.service';
import { JobsMetrics } from './jobs.metrics';

/** How many accounts one grant-expiry transaction takes on. */
const EXPIRY_BATCH = 200;

/**
 * The expiry jobs, every JOB_INTERVAL_SECONDS on every replica, or at once from the admin API.
 * Running them twice, or on two instances at once, changes nothing twice: each works under the
 * account locks and writes off only what is still there (one `tally:expire:<grant>` entry each)
 * or announces only grants not yet marked (one `grant.expiring` each).
 */
@Injectable()
export class ExpiryJobsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExpiryJobsService.name);
  private readonly loop?: PollingLoop;
  private readonly expiringMs: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly grants: GrantRepository,
    private readonly ledger: LedgerService,
    private readonly holds: HoldsService,
    private readonly metrics: JobsMetrics,
    config: CreditStoreConfig,
  ) {
    this.expiringMs = config.GRANT_EXPIRING_DAYS * 86_400_000;
    if (config.JOB_INTERVAL_SECONDS > 0) {
      this.loop = new PollingLoop(ExpiryJobsService.name, () => this.runAll(), {
        intervalMs: config.JOB_INTERVAL_SECONDS * 1000,
        maxBackoffMs: config.JOB_INTERVAL_SECONDS * 1000,
      });
    }
  }

  onApplicationBootstrap(): void {
    this.loop?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop?.stop();
  }

  /** Writes off every grant past its expiry; returns how many. */
  expireGrants(): Promise<number> {
    return this.metrics.measure('expire_grants', async () => {
      let expired = 0;
      for (;;) {
        const userIds = await this.grants.findUsersWithDueGrants(
          this.dataSource.manager,
          new Date(),
          EXPIRY_BATCH,
        );
        if (userIds.length === 0) return expired;
        expired += await this.ledger.expireGrants(userIds);
      }
    });
  }

  /**
   * Sends `grant.expiring` for every grant that expires within GRANT_EXPIRING_DAYS, still holds
   * credits and was not announced yet; returns how many.
   */
  async announceExpiringGrants(): Promise<number> {
    let announced = 0;
    for (;;) {
      const now = new Date();
      const horizon = new Date(now.getTime() + this.expiringMs);
      const userIds = await this.grants.findUsersWithExpiringGrants(
        this.dataSource.manager,
        now,
        horizon,
        EXPIRY_BATCH,
      );
      if (userIds.length === 0) return announced;
      announced += await this.ledger.announceExpiringGrants(userIds, now, horizon);
    }
  }

  expireHolds(): Promise<number> {
    return this.metrics.measure('expire_holds', () => this.holds.expireDue());
  }

  /** One scheduled run; always answers 0 so the loop waits a whole interval before the next. */
  private async runAll(): Promise<number> {
    const grants = await this.expireGrants();
    const expiring = await this.announceExpiringGrants();
    const holds = await this.expireHolds();
    if (grants + holds > 0) this.logger.log(`expired ${grants} grants and ${holds} holds`);
    if (expiring > 0) this.logger.log(`announced ${expiring} expiring grants`);
    return 0;
  }
}
