import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
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
import { ChargesModule } from './charges/charges.module';
import { GatewayConfig } from './config/gateway.config';
import { gatewayDataSourceOptions } from './database/gateway-data-source';

/** Process-wide things every domain module may inject: config, the Kafka client, auth tokens. */
@Global()
@Module({})
class GatewayRuntimeModule {
  static with(config: GatewayConfig, kafka: Kafka): DynamicModule {
    return {
      module: GatewayRuntimeModule,
      providers: [
        { provide: GatewayConfig, useValue: config },
        { provide: KAFKA, useValue: kafka },
        {
          provide: SERVICE_TOKENS,
          useValue: {
            admin: config.ADMIN_TOKEN,
            internal: config.INTERNAL_TOKEN,
          } satisfies ServiceTokens,
        },
      ],
      exports: [GatewayConfig, KAFKA, SERVICE_TOKENS],
    };
  }
}

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, kafka: Kafka): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        GatewayRuntimeModule.with(config, kafka),
        TypeOrmModule.forRoot(gatewayDataSourceOptions(config)),
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
