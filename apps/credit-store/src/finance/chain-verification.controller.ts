import { Controller, Get, Query } from '@nestjs/common';
import { ChainVerificationService } from './chain-verification.service';
import { VerifyQuery } from './dto/verify.query';

/** Admin only (the default): the finance reader's token. */
@Controller('finance/verify')
export class ChainVerificationController {
  constructor(private readonly verification: ChainVerificationService) {}

  /** Recomputes every account's hash chain (or one account's) and says where it first breaks. */
  @Get()
  verify(@Query() query: VerifyQuery) {
    return this.verification.verify(query.user_id === undefined ? null : [query.user_id]);
  }
}
