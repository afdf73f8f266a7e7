import { Controller, Get, Param } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { RequireRole, UserIdPipe } from '@tally/platform';
import type { EntityManager } from 'typeorm';
import { AccountRepository } from '../ledger/accounts/account.repository';
import { AccountOverviewService } from './account-overview.service';
import { accountView } from './account.view';

@Controller('accounts')
@RequireRole('service', 'finance', 'support')
export class AccountsController {
  constructor(
    @InjectEntityManager() private readonly db: EntityManager,
    private readonly accounts: AccountRepository,
    private readonly overviews: AccountOverviewService,
  ) {}

  @Get(':user_id')
  async get(@Param('user_id', UserIdPipe) userId: string) {
    return accountView(userId, await this.accounts.findAccount(this.db, userId));
  }

  /**
   * What the account holder sees (the gateway's `GET /v1/me`): balance, blocked, the grants with
   * credits left (soonest to expire first, at most 100) and usage over 24h, 7d, 30d and all time.
   */
  @Get(':user_id/overview')
  overview(@Param('user_id', UserIdPipe) userId: string) {
    return this.overviews.overview(userId);
  }
}
