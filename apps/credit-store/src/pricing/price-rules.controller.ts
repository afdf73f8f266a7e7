import {
  Body,
  Controller,
  Delete,
  Get,
  Param,
  ParseIntPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { RequireToken } from '@tally/platform';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { CreatePriceRuleDto, QuoteDto, UpdatePriceRuleDto } from './dto/price-rule.dto';
import { RULE_STATUSES } from './price-rule';
import { PriceRulesService } from './price-rules.service';

export class RuleFilter {
  @IsOptional() @Matches(/^[a-z][a-z0-9_.-]{0,63}$/) scene?: string;
  @IsOptional() @IsIn(RULE_STATUSES) status?: string;
}

/** Writing rules moves money: admin only (the default); reading is open to services too. */
@Controller('admin/price-rules')
export class PriceRulesController {
  constructor(private readonly rules: PriceRulesService) {}

  @Post()
  create(@Body() body: CreatePriceRuleDto) {
    return this.rules.create(body);
  }

  @Get()
  @RequireToken('admin', 'internal')
  list(@Query() filter: RuleFilter) {
    return this.rules.list(filter);
  }

  @Get(':id')
  @RequireToken('admin', 'internal')
  get(@Param('id', ParseIntPipe) id: number) {
    return this.rules.get(id);
  }

  @Patch(':id')
  update(@Param('id', ParseIntPipe) id: number, @Body() body: UpdatePriceRuleDto) {
    return this.rules.update(id, body);
  }

  /** A last version with status deleted: history stays. */
  @Delete(':id')
  remove(@Param('id', ParseIntPipe) id: number) {
    return this.rules.update(id, { status: 'deleted' });
  }
}

@Controller()
@RequireToken('admin', 'internal')
export class QuotesController {
  constructor(private readonly rules: PriceRulesService) {}

  @Post('quotes')
  quote(@Body() body: QuoteDto) {
    return this.rules.quote(body);
  }

  @Get('price-rules/models')
  models(@Query() filter: RuleFilter) {
    return this.rules.models(filter.scene ?? 'chat');
  }
}
