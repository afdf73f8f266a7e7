import { Controller, HttpCode, Post } from '@nestjs/common';
import { Audited } from '@tally/platform';
import { ExpiryJobsService } from './expiry-jobs.service';

/** Admin only (the default): run a job now instead of waiting for its interval. */
@Controller('admin/jobs')
export class JobsController {
  constructor(private readonly jobs: ExpiryJobsService) {}

  /** Writes off the grants past their expiry, then announces those expiring soon (grant.expiring). */
  @Post('expire-grants')
  @HttpCode(200)
  @Audited('job.expire_grants', { type: 'job' })
  async expireGrants() {
    const expired = await this.jobs.expireGrants();
    return { expired, expiring: await this.jobs.announceExpiringGrants() };
  }

  @Post('expire-holds')
  @HttpCode(200)
  @Audited('job.expire_holds', { type: 'job' })
  async expireHolds() {
    return { expired: await this.jobs.expireHolds() };
  }
}
