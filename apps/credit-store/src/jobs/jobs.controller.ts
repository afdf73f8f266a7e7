import { Controller, HttpCode, Post } from '@nestjs/common';
import { Audited } from '@tally/platform';
import { ExpiryJobsService } from './expiry-jobs.service';

/** Admin only (the default): run a job now instead of waiting for its interval. */
@Controller('admin/jobs')
export class JobsController {
  constructor(private readonly jobs: ExpiryJobsService) {}

  @Post('expire-grants')
  @HttpCode(200)
  @Audited('job.expire_grants', { type: 'job' })
  async expireGrants() {
    return { expired: await this.jobs.expireGrants() };
  }

  @Post('expire-holds')
  @HttpCode(200)
  @Audited('job.expire_holds', { type: 'job' })
  async expireHolds() {
    return { expired: await this.jobs.expireHolds() };
  }
}
