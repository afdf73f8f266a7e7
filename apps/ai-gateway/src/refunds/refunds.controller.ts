import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { RequireToken } from '@tally/platform';
import { CreateRefundDto } from './dto/create-refund.dto';
import { RefundAccepted, RefundsService } from './refunds.service';

@Controller('internal/refunds')
@RequireToken('internal')
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  /** 202: recorded here and queued behind its charge for the ledger. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  accept(@Body() body: CreateRefundDto): Promise<RefundAccepted> {
    return this.refunds.accept(body);
  }
}
