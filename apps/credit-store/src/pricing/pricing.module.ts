import { Module } from '@nestjs/common';
import { PriceRuleRepository } from './price-rule.repository';
import { PriceRulesController } from './price-rules.controller';
import { PriceRulesService } from './price-rules.service';
import { PricingService } from './pricing.service';
import { QuotesController } from './quotes.controller';

@Module({
  controllers: [PriceRulesController, QuotesController],
  providers: [PriceRuleRepository, PriceRulesService, PricingService],
  exports: [PricingService, PriceRuleRepository],
})
export class PricingModule {}
