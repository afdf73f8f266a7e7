import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { RequireRole } from '@tally/platform';
import { CreateChargeDto } from './dto/create-charge.dto';
import { ChargeAccepted, InternalChargesService } from './internal-charges.service';

@Controller('internal/charges')
@RequireRole('service')
export class ChargesController {
  constructor(private readonly charges: InternalChargesService) {}

  /** 202: recorded here and queued for the ledger, which applies it asynchronously. */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  accept(@Body() body: CreateChargeDto): Promise<ChargeAccepted> {
    return this.charges.accept(body);
  }
}
