import { Module } from '@nestjs/common';
import { BalanceOutboxModule } from '../outbox/balance-outbox.module';
import { AccountEventsModule } from '../outbox/account-events.module';
import { AccountStoreModule } from './accounts/account-store.module';
import { EntryStoreModule } from './entries/entry-store.module';
import { GrantStoreModule } from './grants/grant-store.module';
import { HoldStoreModule } from './holds/hold-store.module';
import { LedgerService } from './ledger.service';
import { RevenueStoreModule } from './revenue/revenue-store.module';

const STORES = [
  AccountStoreModule,
  EntryStoreModule,
  GrantStoreModule,
  HoldStoreModule,
  RevenueStoreModule,
];

/**
 * The ledger core: the state money lives in (accounts, entries, grants, holds) and the one
 * service that moves it. Features (charges, grants, holds, orders, rewards, jobs) build on it;
 * nothing here imports a feature.
 */
@Module({
  imports: [...STORES, BalanceOutboxModule, AccountEventsModule],
  providers: [LedgerService],
  exports: [...STORES, BalanceOutboxModule, AccountEventsModule, LedgerService],
})
export class LedgerModule {}
