import { Controller, Get, Param, Query } from '@nestjs/common';
import { RequireRole, UserIdPipe } from '@tally/platform';
import { UsageQuery } from './dto/usage.query';
import { UsageService } from './usage.service';

@Controller('accounts/:user_id/usage')
@RequireRole('service', 'finance', 'support')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  /** Credits and tokens spent, in total, by source and model, and by UTC day; of one API key if asked. */
  @Get()
  get(@Param('user_id', UserIdPipe) userId: string, @Query() query: UsageQuery) {
    return this.usage.dashboard(userId, query.period, query.api_key_id);
  }
}
