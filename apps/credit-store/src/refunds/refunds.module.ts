import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { RefundsController } from './refunds.controller';
import { RefundsService } from './refunds.service';

@Module({
  imports: [LedgerModule],
  controllers: [RefundsController],
  providers: [RefundsService],
})
export class RefundsModule {}
