import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Topics } from '@tally/contracts';
import type { InboundBatch } from '@tally/platform';
import { AuditIntakeService } from './audit-intake.service';

/** The gateway's audit records, from the bus into the one trail (one partition's batch per call). */
@Controller()
export class AuditRecordsConsumer {
  constructor(private readonly intake: AuditIntakeService) {}

  @EventPattern(Topics.auditRecords)
  handle(@Payload() batch: InboundBatch): Promise<void> {
    return this.intake.process(batch);
  }
}
