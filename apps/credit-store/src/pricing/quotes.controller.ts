import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { RequireRole } from '@tally/platform';
import { ModelsQuery, QuoteDto } from './dto/quote.dto';
import { PricingService } from './pricing.service';

/** The gateway's pricing calls. */
@Controller()
@RequireRole('service', 'finance', 'support')
export class QuotesController {
  constructor(private readonly pricing: PricingService) {}

  /** A quote writes nothing: 200, not 201. */
  @Post('quotes')
  @HttpCode(200)
  quote(@Body() body: QuoteDto) {
    return this.pricing.quote(body);
  }

  @Get('price-rules/models')
  models(@Query() query: ModelsQuery) {
    return this.pricing.models(query.scene ?? 'chat');
  }
}
