import { Module } from '@nestjs/common';
import { HoldsModule } from '../holds/holds.module';
import { LedgerModule } from '../ledger/ledger.module';
import { ExpiryJobsService } from './expiry-jobs.service';
import { JobsController } from './jobs.controller';
import { JobsMetrics } from './jobs.metrics';

@Module({
  imports: [LedgerModule, HoldsModule],
  controllers: [JobsController],
  providers: [ExpiryJobsService, JobsMetrics],
})
export class JobsModule {}
