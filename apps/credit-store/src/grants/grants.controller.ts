import { Body, Controller, Param, Post } from '@nestjs/common';
import { RequireToken, UserIdPipe } from '@tally/platform';
import { CreateGrantDto } from './dto/create-grant.dto';
import { GrantsService } from './grants.service';

@Controller('accounts/:user_id/grants')
@RequireToken('admin')
export class GrantsController {
  constructor(private readonly grants: GrantsService) {}

  @Post()
  create(@Param('user_id', UserIdPipe) userId: string, @Body() body: CreateGrantDto) {
    return this.grants.grant(userId, body);
  }
}
