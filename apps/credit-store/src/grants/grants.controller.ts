import { Body, Controller, Param, Post } from '@nestjs/common';
import { Audited, RequireRole, UserIdPipe } from '@tally/platform';
import { CreateGrantDto } from './dto/create-grant.dto';
import { GrantsService } from './grants.service';

@Controller('accounts/:user_id/grants')
@RequireRole('support')
export class GrantsController {
  constructor(private readonly grants: GrantsService) {}

  @Post()
  @Audited('grant.create', { type: 'account', param: 'user_id' })
  create(@Param('user_id', UserIdPipe) userId: string, @Body() body: CreateGrantDto) {
    return this.grants.grant(userId, body);
  }
}
