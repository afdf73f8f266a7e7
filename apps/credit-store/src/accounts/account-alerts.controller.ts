import { Body, Controller, Param, Put } from '@nestjs/common';
import { Audited, UserIdPipe } from '@tally/platform';
import { AccountAlertsService } from './account-alerts.service';
import { AccountAlertsDto } from './dto/account-alerts.dto';

/** An account's alert settings: admin only (the default). */
@Controller('accounts/:user_id/alerts')
export class AccountAlertsController {
  constructor(private readonly alerts: AccountAlertsService) {}

  @Put()
  @Audited('account.alerts.update', { type: 'account', param: 'user_id' })
  put(@Param('user_id', UserIdPipe) userId: string, @Body() body: AccountAlertsDto) {
    return this.alerts.set(userId, body);
  }
}
