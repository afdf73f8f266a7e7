import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { BalancesModule } from '../balances/balances.module';
import { ChargesModule } from '../charges/charges.module';
import { PricingModule } from '../pricing/pricing.module';
import { ChatCompletionsService } from './chat-completions.service';
import { ChatController } from './chat.controller';
import { ModelsService } from './models.service';
import { Upstreams } from './upstreams';

@Module({
  imports: [ApiKeysModule, BalancesModule, ChargesModule, PricingModule],
  controllers: [ChatController],
  providers: [Upstreams, ChatCompletionsService, ModelsService],
})
export class ChatModule {}
