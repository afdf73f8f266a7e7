import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { BalancesModule } from '../balances/balances.module';
import { OutboxModule } from '../outbox/outbox.module';
import { PricingModule } from '../pricing/pricing.module';
import { ChargeRepository } from './charge.repository';
import { ChargesController } from './charges.controller';
import { ChargesService } from './charges.service';
import { InternalChargesService } from './internal-charges.service';

@Module({
  imports: [ApiKeysModule, OutboxModule, BalancesModule, PricingModule],
  controllers: [ChargesController],
  providers: [ChargeRepository, ChargesService, InternalChargesService],
  exports: [ChargesService],
})
export class ChargesModule {}
