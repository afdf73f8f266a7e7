import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { ChargeIntakeMetrics } from './charge-intake.metrics';
import { ChargeIntakeService } from './charge-intake.service';
import { ChargeRequestedConsumer } from './charge-requested.consumer';
import { ConsumerLagMetrics } from './consumer-lag.metrics';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { DeadLetterRedriveService } from './dead-letter-redrive.service';
import { DeadLetterRepository } from './dead-letter.repository';
import { DeadLettersController } from './dead-letters.controller';
import { IsolatingApplier } from './isolating-applier.service';
import { WaitingRefundRepository } from './waiting-refund.repository';
import { WaitingRefunds } from './waiting-refunds.service';

@Module({
  imports: [LedgerModule],
  controllers: [ChargeRequestedConsumer, DeadLettersController],
  providers: [
    ChargeIntakeService,
    DeadLetterPublisher,
    DeadLetterRepository,
    DeadLetterRedriveService,
    ChargeIntakeMetrics,
    IsolatingApplier,
    ConsumerLagMetrics,
    WaitingRefundRepository,
    WaitingRefunds,
  ],
  exports: [DeadLetterRepository, DeadLetterPublisher],
})
export class ChargesModule {}
