import { Module } from '@nestjs/common';
import { AccountRepository } from '../accounts/account.repository';
import { BalanceModule } from '../balance/balance.module';
import { GrantPolicy } from '../grants/grant-policy';
import { GrantRepository } from '../grants/grant.repository';
import { HoldRepository } from '../holds/hold.repository';
import { LedgerConflictRepository } from './ledger-conflict.repository';
import { LedgerQueriesService } from './ledger-queries.service';
import { LedgerController } from './ledger.controller';
import { LedgerRepository } from './ledger.repository';
import { LedgerService } from './ledger.service';
import { UsageRecordRepository } from './usage-record.repository';

/** The ledger transaction and everything it writes: entries, accounts, grants, hold captures. */
@Module({
  imports: [BalanceModule],
  controllers: [LedgerController],
  providers: [
    AccountRepository,
    LedgerRepository,
    LedgerConflictRepository,
    GrantRepository,
    GrantPolicy,
    HoldRepository,
    UsageRecordRepository,
    LedgerService,
    LedgerQueriesService,
  ],
  exports: [
    AccountRepository,
    LedgerRepository,
    GrantRepository,
    HoldRepository,
    LedgerService,
    BalanceModule,
  ],
})
export class LedgerModule {}
