import { Body, Controller, HttpCode, HttpStatus, Post, Req } from '@nestjs/common';
import { Audited, RequireRole } from '@tally/platform';
import type { Request } from 'express';
import { CreateRefundDto } from './dto/create-refund.dto';
import { RefundApplied, RefundsService } from './refunds.service';

@Controller('internal/refunds')
// Support may refund charges (within its daily limit, which the credit-store keeps).
@RequireRole('service', 'support')
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  /**
   * 201: applied by the ledger, which decided it (or its refusal: 404, 409). A person's refund is
   * audited by the credit-store, in the refund's transaction; this record is the gateway's only
   * when the request ends here (refused for the role, or failed before the ledger decided).
   */
  @Post()
  @Audited('charge.refund', { type: 'charge', body: 'refund_of' }, { peopleOnly: true })
  @HttpCode(HttpStatus.CREATED)
  refund(@Body() body: CreateRefundDto, @Req() req: Request): Promise<RefundApplied> {
    return this.refunds.refund(body, req.headers.authorization);
  }
}
