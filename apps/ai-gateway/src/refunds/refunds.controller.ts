import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { Audited, RequireRole } from '@tally/platform';
import { CreateRefundDto } from './dto/create-refund.dto';
import { RefundApplied, RefundsService } from './refunds.service';

@Controller('internal/refunds')
@RequireRole('service')
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  /** 201: applied by the ledger, which decided it (or its refusal: 404, 409). */
  @Post()
  @Audited('charge.refund', { type: 'charge', body: 'refund_of' }, { peopleOnly: true })
  @HttpCode(HttpStatus.CREATED)
  refund(@Body() body: CreateRefundDto): Promise<RefundApplied> {
    return this.refunds.refund(body);
  }
}
