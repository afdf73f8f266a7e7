import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { ChargeIntakeMetrics } from './charge-intake.metrics';
import { ChargeIntakeService } from './charge-intake.service';
import { ChargeRequestedConsumer } from './charge-requested.consumer';
import { ConsumerLagMetrics } from './consumer-lag.metrics';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { WaitingRefundRepository } from './waiting-refund.repository';
import { WaitingRefunds } from './waiting-refunds.service';

@Module({
  imports: [LedgerModule],
  controllers: [ChargeRequestedConsumer],
  providers: [
    ChargeIntakeService,
    DeadLetterPublisher,
    ChargeIntakeMetrics,
    ConsumerLagMetrics,
    WaitingRefundRepository,
    WaitingRefunds,
  ],
})
export class ChargesModule {}
