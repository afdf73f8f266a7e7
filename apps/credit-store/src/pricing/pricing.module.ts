import { Module } from '@nestjs/common';
import { PriceRuleRepository } from './price-rule.repository';
import { PriceRulesController, QuotesController } from './price-rules.controller';
import { PriceRulesService } from './price-rules.service';

@Module({
  controllers: [PriceRulesController, QuotesController],
  providers: [PriceRuleRepository, PriceRulesService],
  exports: [PriceRulesService],
})
export class PricingModule {}
