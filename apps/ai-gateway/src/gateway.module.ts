import { DynamicModule, Module } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { ServiceRuntimeModule } from '@tally/platform';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuditModule } from './audit/audit.module';
import { BalancesModule } from './balances/balances.module';
import { ChargesModule } from './charges/charges.module';
import { ChatModule } from './chat/chat.module';
import { EmbeddingsModule } from './embeddings/embeddings.module';
import { HoldsModule } from './holds/holds.module';
import { MeModule } from './me/me.module';
import { MessagesModule } from './messages/messages.module';
import { PrincipalsModule } from './principals/principals.module';
import { RefundsModule } from './refunds/refunds.module';
import { GatewayConfig } from './config/gateway.config';
import { gatewayDataSourceOptions } from './database/gateway-data-source';
import { ResponsesModule } from './responses/responses.module';

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
          app: 'ai-gateway',
        }),
        PrincipalsModule,
        AuditModule,
        ApiKeysModule,
        BalancesModule,
        ChargesModule,
        ChatModule,
        ResponsesModule,
        EmbeddingsModule,
        HoldsModule,
        MessagesModule,
        MeModule,
        RefundsModule,
      ],
    };
  }
}
