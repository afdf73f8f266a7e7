import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { AccountsController } from './accounts.controller';

@Module({
  imports: [LedgerModule],
  controllers: [AccountsController],
})
export class AccountsModule {}
