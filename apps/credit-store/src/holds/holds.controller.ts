import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Audited, RequireRole } from '@tally/platform';
import { AuthorizeHoldDto } from './dto/authorize-hold.dto';
import { holdView } from './hold.view';
import { HoldsService } from './holds.service';

@Controller('holds')
@RequireRole('service')
export class HoldsController {
  constructor(private readonly holds: HoldsService) {}

  @Post()
  @Audited('hold.create', { type: 'account', body: 'user_id' }, { peopleOnly: true })
  async authorize(@Body() body: AuthorizeHoldDto) {
    return holdView(await this.holds.authorize(body));
  }

  @Post(':hold_id/void')
  @HttpCode(200)
  @Audited('hold.void', { type: 'hold', param: 'hold_id' }, { peopleOnly: true })
  async void(@Param('hold_id') holdId: string) {
    return holdView(await this.holds.void(holdId));
  }

  @Get(':hold_id')
  @RequireRole('service', 'finance', 'support')
  async get(@Param('hold_id') holdId: string) {
    return holdView(await this.holds.get(holdId));
  }
}
