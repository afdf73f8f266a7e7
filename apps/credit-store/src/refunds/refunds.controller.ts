import { Body, Controller, Param, Post } from '@nestjs/common';
import { RequireToken, UserIdPipe } from '@tally/platform';
import { CreateRefundDto } from './dto/create-refund.dto';
import { RefundsService } from './refunds.service';

@Controller('accounts/:user_id/refunds')
@RequireToken('admin', 'internal')
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  /** The refund's income entry; a repeat answers the entry first written. */
  @Post()
  create(@Param('user_id', UserIdPipe) userId: string, @Body() body: CreateRefundDto) {
    return this.refunds.refund(userId, body);
  }
}
