import { Controller, Get, Query, Res } from '@nestjs/common';
import { jsonAmount } from '@tally/contracts';
import type { Response } from 'express';
import { RequireRole } from '@tally/platform';
import { FinanceWindowQuery } from './dto/finance-window.query';
import { FinanceExportService } from './finance-export.service';
import { FinanceSummaryService } from './finance-summary.service';
import { financeWindow } from './finance-window';
import { RevenueQuery } from './dto/revenue.query';
import { revenueCsv } from './revenue.csv';
import { revenueWindow } from './revenue-window';
import { RevenueService } from './revenue.service';
import { OverviewService } from './overview.service';

/** Finance reports: admin, finance and support, read-only. */
@Controller('finance')
@RequireRole('finance', 'support')
export class FinanceController {
  constructor(
    private readonly exports: FinanceExportService,
    private readonly summaries: FinanceSummaryService,
    private readonly revenue: RevenueService,
    private readonly overviews: OverviewService,
  ) {}

  /**
   * The whole system at a glance: credits outstanding, deferred revenue per currency, today's
   * sales / recognized / breakage / refunds, the last 30 days, today's top consumers, orders by
   * status and dead letters. From maintained totals and indexes, not ledger scans.
   */
  @Get('overview')
  overview() {
    return this.overviews.overview();
  }

  @Get('ledger.csv')
  ledgerCsv(@Query() query: FinanceWindowQuery, @Res() res: Response): Promise<void> {
    return this.exports.streamLedger(financeWindow(query), res);
  }

  @Get('summary')
  summary(@Query() query: FinanceWindowQuery) {
    return this.summaries.summary(financeWindow(query));
  }

  /**
   * The deferred-revenue rollforward per UTC day and currency, in minor units: opening deferred
   * + sales − recognized − breakage − refunds = closing deferred, and each day opens at the
   * previous day's closing.
   */
  @Get('revenue')
  async revenueDays(@Query() query: RevenueQuery) {
    const window = revenueWindow(query);
    const rows = await this.revenue.rollforward(window);
    return {
      ...window,
      rows: rows.map((row) => ({
        day: row.day,
        currency: row.currency,
        opening_deferred: jsonAmount(row.opening_deferred),
        sales: jsonAmount(row.sales),
        recognized: jsonAmount(row.recognized),
        breakage: jsonAmount(row.breakage),
        refunds: jsonAmount(row.refunds),
        closing_deferred: jsonAmount(row.closing_deferred),
      })),
    };
  }

  /** The same rollforward as CSV. */
  @Get('revenue.csv')
  async revenueDaysCsv(@Query() query: RevenueQuery, @Res() res: Response): Promise<void> {
    const window = revenueWindow(query);
    const rows = await this.revenue.rollforward(window);
    res
      .status(200)
      .set({
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="revenue-${window.from}-${window.to}.csv"`,
      })
      .send(revenueCsv(rows));
  }
}
