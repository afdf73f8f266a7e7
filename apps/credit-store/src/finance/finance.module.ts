import { Module } from '@nestjs/common';
import { FinanceExportService } from './finance-export.service';
import { FinanceController } from './finance.controller';
import { FinanceRepository } from './finance.repository';
import { ReconciliationController } from './reconciliation.controller';
import { ReconciliationRepository } from './reconciliation.repository';
import { ReconciliationService } from './reconciliation.service';

@Module({
  controllers: [FinanceController, ReconciliationController],
  providers: [
    FinanceRepository,
    FinanceExportService,
    ReconciliationRepository,
    ReconciliationService,
  ],
  exports: [ReconciliationService],
})
export class FinanceModule {}
