import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { BalancesModule } from '../balances/balances.module';
import { ChargesModule } from '../charges/charges.module';
import { MeteredCalls } from '../chat/metered-calls';
import { Upstreams } from '../chat/upstreams';
import { PricingModule } from '../pricing/pricing.module';
import { AnthropicKeyGuard } from './anthropic-key.guard';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';

@Module({
  imports: [ApiKeysModule, BalancesModule, ChargesModule, PricingModule],
  controllers: [MessagesController],
  providers: [Upstreams, MeteredCalls, AnthropicKeyGuard, MessagesService],
})
export class MessagesModule {}
