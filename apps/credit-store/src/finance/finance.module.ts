import { AuditModule } from '../audit/audit.module';
import { Module } from '@nestjs/common';
import { ChargesModule } from '../charges/charges.module';
import { EntryStoreModule } from '../ledger/entries/entry-store.module';
import { ChainVerificationController } from './chain-verification.controller';
import { ChainVerificationService } from './chain-verification.service';
import { FinanceExportRepository } from './finance-export.repository';
import { FinanceExportService } from './finance-export.service';
import { FinanceSummaryRepository } from './finance-summary.repository';
import { FinanceSummaryService } from './finance-summary.service';
import { FinanceController } from './finance.controller';
import { ReconciliationController } from './reconciliation.controller';
import { ReconciliationMetrics } from './reconciliation.metrics';
import { ReconciliationSchedule } from './reconciliation-schedule';
import { ReconciliationRepository } from './reconciliation.repository';
import { ReconciliationService } from './reconciliation.service';
import { RevenueRepository } from './revenue.repository';
import { RevenueService } from './revenue.service';
import { OverviewRepository } from './overview.repository';
import { OverviewService } from './overview.service';

@Module({
  imports: [AuditModule, ChargesModule, EntryStoreModule],
  controllers: [FinanceController, ReconciliationController, ChainVerificationController],
  providers: [
    ChainVerificationService,
    FinanceExportRepository,
    FinanceExportService,
    FinanceSummaryRepository,
    FinanceSummaryService,
    ReconciliationRepository,
    ReconciliationService,
    ReconciliationMetrics,
    ReconciliationSchedule,
    RevenueRepository,
    RevenueService,
    OverviewRepository,
    OverviewService,
  ],
  exports: [ReconciliationService],
})
export class FinanceModule {}
