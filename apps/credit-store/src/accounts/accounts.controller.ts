import { Controller, Get, Param } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { RequireToken, UserIdPipe } from '@tally/platform';
import type { EntityManager } from 'typeorm';
import { AccountRepository } from '../ledger/accounts/account.repository';
import { accountView } from './account.view';

@Controller('accounts')
@RequireToken('admin', 'internal')
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
