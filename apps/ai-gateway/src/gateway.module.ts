import { DynamicModule, Module } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { ServiceRuntimeModule } from '@tally/platform';
import { ChargesModule } from './charges/charges.module';
import { GatewayConfig } from './config/gateway.config';
import { gatewayDataSourceOptions } from './database/gateway-data-source';

@Module({})
export class GatewayModule {
  static forRoot(config: GatewayConfig, kafka: Kafka): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        ServiceRuntimeModule.forRoot({
          configClass: GatewayConfig,
          config,
          kafka,
          database: gatewayDataSourceOptions(config),
        }),
        ChargesModule,
      ],
    };
  }
}
