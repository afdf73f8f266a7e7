import { Controller, Get, Param, Query } from '@nestjs/common';
import { RequireRole, UserIdPipe } from '@tally/platform';
import { LedgerPageQueryDto } from './dto/ledger-page.query';
import { LedgerQueriesService } from './ledger-queries.service';

@Controller()
@RequireRole('service', 'finance', 'support')
export class LedgerController {
  constructor(private readonly queries: LedgerQueriesService) {}

  @Get('accounts/:user_id/ledger')
  page(@Param('user_id', UserIdPipe) userId: string, @Query() query: LedgerPageQueryDto) {
    return this.queries.page(userId, query);
  }

  @Get('ledger/:event_id')
  entry(@Param('event_id') eventId: string) {
    return this.queries.entry(eventId);
  }
}
