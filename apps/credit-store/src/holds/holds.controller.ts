import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { RequireToken } from '@tally/platform';
import { AuthorizeHoldDto } from './dto/authorize-hold.dto';
import { holdView } from './hold.view';
import { HoldsService } from './holds.service';

@Controller('holds')
@RequireToken('admin', 'internal')
export class HoldsController {
  constructor(private readonly holds: HoldsService) {}

  @Post()
  async authorize(@Body() body: AuthorizeHoldDto) {
    return holdView(await this.holds.authorize(body));
  }

  @Post(':hold_id/void')
  @HttpCode(200)
  async void(@Param('hold_id') holdId: string) {
    return holdView(await this.holds.void(holdId));
  }

  @Get(':hold_id')
  async get(@Param('hold_id') holdId: string) {
    return holdView(await this.holds.get(holdId));
  }
}
