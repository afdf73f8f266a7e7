import { Body, Controller, Param, Post } from '@nestjs/common';
import { Audited, RequireRole, UserIdPipe } from '@tally/platform';
import { CreateRefundDto } from './dto/create-refund.dto';
import { RefundsService } from './refunds.service';

@Controller('accounts/:user_id/refunds')
// The service role is the gateway asking the ledger to decide its /internal/refunds.
@RequireRole('support', 'service')
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  /** The refund's income entry; a repeat answers the entry first written. */
  @Post()
  @Audited('charge.refund', { type: 'charge', body: 'refund_of' }, { peopleOnly: true })
  create(@Param('user_id', UserIdPipe) userId: string, @Body() body: CreateRefundDto) {
    return this.refunds.refund(userId, body);
  }
}
