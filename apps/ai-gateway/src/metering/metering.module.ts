import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { BalancesModule } from '../balances/balances.module';
import { ChargesModule } from '../charges/charges.module';
import { PricingModule } from '../pricing/pricing.module';
import { UpstreamsModule } from '../upstreams/upstreams.module';
import { MeteredCalls } from './metered-calls';

/** What every metered client surface shares: the upstreams and the opening of metered calls. */
@Module({
  imports: [ApiKeysModule, BalancesModule, ChargesModule, PricingModule, UpstreamsModule],
  providers: [MeteredCalls],
  exports: [UpstreamsModule, MeteredCalls, PricingModule],
})
export class MeteringModule {}
