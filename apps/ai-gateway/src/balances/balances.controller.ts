import { Controller, Get, Param } from '@nestjs/common';
import { RequireRole, UserIdPipe } from '@tally/platform';
import { BalanceGuard } from './balance-guard';
import { spendableView } from './balance-view.repository';

/** What the balance guard sees for a user (for operators and internal services). */
@Controller('internal/balances')
@RequireRole('service', 'finance', 'support')
export class BalancesController {
  constructor(private readonly guard: BalanceGuard) {}

  @Get(':user_id')
  async get(@Param('user_id', UserIdPipe) userId: string) {
    return spendableView(await this.guard.viewOf(userId));
  }
}
