import { Controller, Get, Query, Req, UseGuards } from '@nestjs/common';
import { DelegatedAuth } from '@tally/platform';
import { ApiKeyGuard, KeyedRequest } from '../api-keys/api-key.guard';
import { MyLedgerQuery } from './dto/my-ledger.query';
import { MeService } from './me.service';

/**
 * A user's own account, read with their API key (`Authorization: Bearer <key>`): the key decides
 * whose account it is. Errors in OpenAI's shape, as on the rest of /v1.
 */
@Controller('v1/me')
@DelegatedAuth()
@UseGuards(ApiKeyGuard)
export class MeController {
  constructor(private readonly me: MeService) {}

  /**
   * The key's user: balance, blocked, the key (budget, spent this period, remaining, limits), the
   * grants with credits left (soonest to expire first) and usage over 24h, 7d, 30d and all time.
   */
  @Get()
  view(@Req() req: KeyedRequest) {
    return this.me.me(req.apiKey);
  }

  /** The user's ledger entries, newest first, by pages (`next_cursor`, null on the last). */
  @Get('ledger')
  ledger(@Req() req: KeyedRequest, @Query() query: MyLedgerQuery) {
    return this.me.ledger(req.apiKey, query);
  }
}
