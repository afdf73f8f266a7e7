import { Module } from '@nestjs/common';
import { AuditOutboxRepository } from './audit-outbox.repository';
import { AuditRelay } from './audit.relay';

@Module({
  providers: [AuditOutboxRepository, AuditRelay],
})
export class AuditModule {}
