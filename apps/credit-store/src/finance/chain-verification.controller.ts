import { Controller, Get, Query } from '@nestjs/common';
import { RequireRole } from '@tally/platform';
import { ChainVerificationService } from './chain-verification.service';
import { VerifyQuery } from './dto/verify.query';

@Controller('finance/verify')
@RequireRole('finance', 'support')
export class ChainVerificationController {
  constructor(private readonly verification: ChainVerificationService) {}

  /** Recomputes every account's hash chain (or one account's) and says where it first breaks. */
  @Get()
  verify(@Query() query: VerifyQuery) {
    return this.verification.verify(query.user_id === undefined ? null : [query.user_id]);
  }
}
