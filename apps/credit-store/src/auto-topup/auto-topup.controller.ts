import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { Audited, RequireRole, UserIdPipe } from '@tally/platform';
import { AutoTopupSettingsService } from './auto-topup-settings.service';
import { AutoTopupDto } from './dto/auto-topup.dto';

/** An account's auto top-up: set by an admin (the default), read like the account. */
@Controller('accounts/:user_id/auto-topup')
export class AutoTopupController {
  constructor(private readonly settings: AutoTopupSettingsService) {}

  @Get()
  @RequireRole('service', 'finance', 'support')
  get(@Param('user_id', UserIdPipe) userId: string) {
    return this.settings.get(userId);
  }

  @Put()
  @Audited('account.auto_topup.update', { type: 'account', param: 'user_id' })
  put(@Param('user_id', UserIdPipe) userId: string, @Body() body: AutoTopupDto) {
    return this.settings.set(userId, body);
  }
}
