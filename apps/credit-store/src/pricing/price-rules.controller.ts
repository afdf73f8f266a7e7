import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { Audited, RequireRole, SerialIdPipe } from '@tally/platform';
import { CreatePriceRuleDto, PriceRuleQuery, UpdatePriceRuleDto } from './dto/price-rule.dto';
import { PriceRulesService } from './price-rules.service';

/** Writing rules moves money: admin only (the default); services and people may read them. */
@Controller('admin/price-rules')
export class PriceRulesController {
  constructor(private readonly rules: PriceRulesService) {}

  @Post()
  @Audited('price_rule.create', { type: 'price_rule' })
  create(@Body() body: CreatePriceRuleDto) {
    return this.rules.create(body);
  }

  @Get()
  @RequireRole('service', 'finance', 'support')
  list(@Query() query: PriceRuleQuery) {
    return this.rules.list(query);
  }

  @Get(':id')
  @RequireRole('service', 'finance', 'support')
  get(@Param('id', SerialIdPipe) id: number) {
    return this.rules.get(id);
  }

  @Patch(':id')
  @Audited('price_rule.update', { type: 'price_rule', param: 'id' })
  update(@Param('id', SerialIdPipe) id: number, @Body() body: UpdatePriceRuleDto) {
    return this.rules.update(id, body);
  }

  @Delete(':id')
  @Audited('price_rule.delete', { type: 'price_rule', param: 'id' })
  remove(@Param('id', SerialIdPipe) id: number) {
    return this.rules.remove(id);
  }
}
