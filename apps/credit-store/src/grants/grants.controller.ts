import { Body, Controller, Param, Post } from '@nestjs/common';
import { RequireToken } from '@tally/platform';
import { UserIdPipe } from '../accounts/user-id.pipe';
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
