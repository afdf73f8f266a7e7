import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { ChargeIntakeMetrics } from './charge-intake.metrics';
import { ChargeIntakeService } from './charge-intake.service';
import { ChargeRequestedConsumer } from './charge-requested.consumer';
import { ConsumerLagMetrics } from './consumer-lag.metrics';
import { DeadLetterPublisher } from './dead-letter.publisher';

@Module({
  imports: [LedgerModule],
  controllers: [ChargeRequestedConsumer],
  providers: [ChargeIntakeService, DeadLetterPublisher, ChargeIntakeMetrics, ConsumerLagMetrics],
})
export class ChargesModule {}
