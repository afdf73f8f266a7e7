import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import {
  databaseReadiness,
  HealthController,
  KAFKA,
  kafkaReadiness,
  READINESS_CHECKS,
  SERVICE_TOKENS,
  ServiceTokens,
  TokenAuthGuard,
} from '@tally/platform';
import { AccountsModule } from './accounts/accounts.module';
import { ChargesModule } from './charges/charges.module';
import { CreditStoreConfig } from './config/credit-store.config';
import { creditStoreDataSourceOptions } from './database/credit-store-data-source';
import { GrantsModule } from './grants/grants.module';
import { LedgerModule } from './ledger/ledger.module';

/** Process-wide things every domain module may inject: config, the Kafka client, auth tokens. */
@Global()
@Module({})
class CreditStoreRuntimeModule {
  static with(config: CreditStoreConfig, kafka: Kafka): DynamicModule {
    return {
      module: CreditStoreRuntimeModule,
      providers: [
        { provide: CreditStoreConfig, useValue: config },
        { provide: KAFKA, useValue: kafka },
        {
          provide: SERVICE_TOKENS,
          useValue: {
            admin: config.ADMIN_TOKEN,
            internal: config.INTERNAL_TOKEN,
          } satisfies ServiceTokens,
        },
      ],
      exports: [CreditStoreConfig, KAFKA, SERVICE_TOKENS],
    };
  }
}

@Module({})
export class CreditStoreModule {
  static forRoot(config: CreditStoreConfig, kafka: Kafka): DynamicModule {
    return {
      module: CreditStoreModule,
      imports: [
        CreditStoreRuntimeModule.with(config, kafka),
        TypeOrmModule.forRoot(creditStoreDataSourceOptions(config)),
        LedgerModule,
        AccountsModule,
        GrantsModule,
        ChargesModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_GUARD, useClass: TokenAuthGuard },
        {
          provide: READINESS_CHECKS,
          useFactory: (dataSource: DataSource) => [
            databaseReadiness(dataSource),
            kafkaReadiness(kafka),
          ],
          inject: [getDataSourceToken()],
        },
      ],
    };
  }
}
