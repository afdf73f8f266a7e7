import { DynamicModule, Module } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { ServiceRuntimeModule } from '@tally/platform';
import { AccountsModule } from './accounts/accounts.module';
import { AuditModule } from './audit/audit.module';
import { ChargesModule } from './charges/charges.module';
import { CreditStoreConfig } from './config/credit-store.config';
import { ConsoleModule } from './console/console.module';
import { creditStoreDataSourceOptions } from './database/credit-store-data-source';
import { FinanceModule } from './finance/finance.module';
import { GrantsModule } from './grants/grants.module';
import { HoldsModule } from './holds/holds.module';
import { JobsModule } from './jobs/jobs.module';
import { LedgerModule } from './ledger/ledger.module';
import { OrdersModule } from './orders/orders.module';
import { AutoTopupModule } from './auto-topup/auto-topup.module';
import { PricingModule } from './pricing/pricing.module';
import { PrincipalsModule } from './principals/principals.module';
import { ProductsModule } from './products/products.module';
import { RefundsModule } from './refunds/refunds.module';
import { RewardsModule } from './rewards/rewards.module';
import { UsageModule } from './usage/usage.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class CreditStoreModule {
  static forRoot(config: CreditStoreConfig, kafka: Kafka): DynamicModule {
    return {
      module: CreditStoreModule,
      imports: [
        ServiceRuntimeModule.forRoot({
          configClass: CreditStoreConfig,
          config,
          kafka,
          database: creditStoreDataSourceOptions(config),
          app: 'credit-store',
        }),
        PrincipalsModule,
        AuditModule,
        LedgerModule,
        AccountsModule,
        GrantsModule,
        ChargesModule,
        HoldsModule,
        JobsModule,
        FinanceModule,
        ProductsModule,
        OrdersModule,
        AutoTopupModule,
        UsageModule,
        PricingModule,
        RewardsModule,
        RefundsModule,
        ConsoleModule,
        WebhooksModule,
      ],
    };
  }
}
