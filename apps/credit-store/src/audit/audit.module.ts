import { Module } from '@nestjs/common';
import { ChargesModule } from '../charges/charges.module';
import { AuditChainRepository } from './audit-chain.repository';
import { AuditIntakeService } from './audit-intake.service';
import { AuditRecordsConsumer } from './audit-records.consumer';
import { AuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

@Module({
  imports: [ChargesModule],
  controllers: [AuditController, AuditRecordsConsumer],
  providers: [AuditRepository, AuditService, AuditIntakeService, AuditChainRepository],
  exports: [AuditChainRepository],
})
export class AuditModule {}
