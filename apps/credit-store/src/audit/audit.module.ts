import { Module } from '@nestjs/common';
import { AuditController, RelayedAuditController } from './audit.controller';
import { AuditRepository } from './audit.repository';
import { AuditService } from './audit.service';

@Module({
  controllers: [AuditController, RelayedAuditController],
  providers: [AuditRepository, AuditService],
})
export class AuditModule {}
