import { Module } from '@nestjs/common';
import { CreditStoreModule } from '../credit-store-api/credit-store.module';
import { RefundRepository } from './refund.repository';
import { RefundsController } from './refunds.controller';
import { RefundsService } from './refunds.service';

@Module({
  imports: [CreditStoreModule],
  controllers: [RefundsController],
  providers: [RefundRepository, RefundsService],
})
export class RefundsModule {}
