import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { ChargeIntakeService } from './charge-intake.service';
import { ChargeRequestedConsumer } from './charge-requested.consumer';
import { DeadLetterPublisher } from './dead-letter.publisher';

@Module({
  imports: [LedgerModule],
  controllers: [ChargeRequestedConsumer],
  providers: [ChargeIntakeService, DeadLetterPublisher],
})
export class ChargesModule {}
