import { Body, Controller, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { Audited, RequireRole } from '@tally/platform';
import { VoidGrantDto } from './dto/void-grant.dto';
import { GrantVoidsService } from './grant-voids.service';

@Controller('grants/:event_id/void')
@RequireRole('support')
export class GrantVoidsController {
  constructor(private readonly voids: GrantVoidsService) {}

  /** What was written off (0 if nothing remained), with its entry; idempotent. */
  @Post()
  @Audited('grant.void', { type: 'grant', param: 'event_id' })
  @HttpCode(HttpStatus.OK)
  void(@Param('event_id') eventId: string, @Body() body: VoidGrantDto) {
    return this.voids.void(eventId, body);
  }
}
