import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { UsageModule } from '../usage/usage.module';
import { AccountAlertsController } from './account-alerts.controller';
import { AccountAlertsService } from './account-alerts.service';
import { AccountOverviewRepository } from './account-overview.repository';
import { AccountOverviewService } from './account-overview.service';
import { AccountsController } from './accounts.controller';

@Module({
  imports: [LedgerModule, UsageModule],
  controllers: [AccountsController, AccountAlertsController],
  providers: [AccountOverviewRepository, AccountOverviewService, AccountAlertsService],
})
export class AccountsModule {}
