import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { Audited, RequireRole } from '@tally/platform';
import { CreateRefundDto } from './dto/create-refund.dto';
import { RefundAccepted, RefundsService } from './refunds.service';

@Controller('internal/refunds')
@RequireRole('service')
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  /** 202: recorded here and queued behind its charge for the ledger. */
  @Post()
  @Audited('charge.refund', { type: 'charge', body: 'refund_of' }, { peopleOnly: true })
  @HttpCode(HttpStatus.ACCEPTED)
  accept(@Body() body: CreateRefundDto): Promise<RefundAccepted> {
    return this.refunds.accept(body);
  }
}
