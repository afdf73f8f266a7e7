import { Module } from '@nestjs/common';
import { OutboxModule } from '../outbox/outbox.module';
import { RefundRepository } from './refund.repository';
import { RefundsController } from './refunds.controller';
import { RefundsService } from './refunds.service';

@Module({
  imports: [OutboxModule],
  controllers: [RefundsController],
  providers: [RefundRepository, RefundsService],
})
export class RefundsModule {}
