import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics } from '@tally/contracts';
import type { InboundBatch } from '@tally/platform';
import { ChargeIntakeService } from './charge-intake.service';

/** The ledger's entry point on the bus (one partition's batch per call, see KafkaBatchTransport). */
@Controller()
export class ChargeRequestedConsumer {
  constructor(private readonly intake: ChargeIntakeService) {}

  @EventPattern(Topics.chargeRequested)
  handle(@Payload() batch: InboundBatch): Promise<void> {
    return this.intake.process(batch);
  }
}
