import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { FinanceWindowQuery } from './dto/finance-window.query';
import { FinanceExportService } from './finance-export.service';
import { FinanceSummaryService } from './finance-summary.service';
import { financeWindow } from './finance-window';

/** Finance reports: admin token only (the default), read-only. */
@Controller('finance')
export class FinanceController {
  constructor(
    private readonly exports: FinanceExportService,
    private readonly summaries: FinanceSummaryService,
  ) {}

  @Get('ledger.csv')
  ledgerCsv(@Query() query: FinanceWindowQuery, @Res() res: Response): Promise<void> {
    return this.exports.streamLedger(financeWindow(query), res);
  }

  @Get('summary')
  summary(@Query() query: FinanceWindowQuery) {
    return this.summaries.summary(financeWindow(query));
  }
}
