import { Module } from '@nestjs/common';
import { CreditStoreModule } from '../credit-store-api/credit-store.module';
import { AuditOutboxRepository } from './audit-outbox.repository';
import { AuditRelay } from './audit.relay';

@Module({
  imports: [CreditStoreModule],
  providers: [AuditOutboxRepository, AuditRelay],
})
export class AuditModule {}
