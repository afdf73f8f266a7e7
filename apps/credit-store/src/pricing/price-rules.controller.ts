import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { RequireToken, SerialIdPipe } from '@tally/platform';
import { CreatePriceRuleDto, PriceRuleQuery, UpdatePriceRuleDto } from './dto/price-rule.dto';
import { PriceRulesService } from './price-rules.service';

/** Writing rules moves money: admin only (the default); services may read them. */
@Controller('admin/price-rules')
export class PriceRulesController {
  constructor(private readonly rules: PriceRulesService) {}

  @Post()
  create(@Body() body: CreatePriceRuleDto) {
    return this.rules.create(body);
  }

  @Get()
  @RequireToken('admin', 'internal')
  list(@Query() query: PriceRuleQuery) {
    return this.rules.list(query);
  }

  @Get(':id')
  @RequireToken('admin', 'internal')
  get(@Param('id', SerialIdPipe) id: number) {
    return this.rules.get(id);
  }

  @Patch(':id')
  update(@Param('id', SerialIdPipe) id: number, @Body() body: UpdatePriceRuleDto) {
    return this.rules.update(id, body);
  }

  @Delete(':id')
  remove(@Param('id', SerialIdPipe) id: number) {
    return this.rules.remove(id);
  }
}
