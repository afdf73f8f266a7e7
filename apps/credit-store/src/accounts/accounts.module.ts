import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { AccountAlertsController } from './account-alerts.controller';
import { AccountAlertsService } from './account-alerts.service';
import { AccountsController } from './accounts.controller';

@Module({
  imports: [LedgerModule],
  controllers: [AccountsController, AccountAlertsController],
  providers: [AccountAlertsService],
})
export class AccountsModule {}
