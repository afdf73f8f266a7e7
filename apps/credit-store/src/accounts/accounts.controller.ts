import { Controller, Get, Param } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { RequireRole, UserIdPipe } from '@tally/platform';
import type { EntityManager } from 'typeorm';
import { AccountRepository } from '../ledger/accounts/account.repository';
import { accountView } from './account.view';

@Controller('accounts')
@RequireRole('service', 'finance', 'support')
export class AccountsController {
  constructor(
    @InjectEntityManager() private readonly db: EntityManager,
    private readonly accounts: AccountRepository,
  ) {}

  @Get(':user_id')
  async get(@Param('user_id', UserIdPipe) userId: string) {
    return accountView(userId, await this.accounts.findAccount(this.db, userId));
  }
}
