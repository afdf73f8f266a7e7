import { Module } from '@nestjs/common';
import { AccountRepository } from '../accounts/account.repository';
import { LedgerConflictRepository } from './ledger-conflict.repository';
import { LedgerQueriesService } from './ledger-queries.service';
import { LedgerController } from './ledger.controller';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';

@Module({
  controllers: [LedgerController],
  providers: [
    AccountRepository,
    LedgerRepository,
    LedgerConflictRepository,
    LedgerService,
    LedgerQueriesService,
  ],
  exports: [AccountRepository, LedgerRepository, LedgerConflictRepository, LedgerService],
})
export class LedgerModule {}
