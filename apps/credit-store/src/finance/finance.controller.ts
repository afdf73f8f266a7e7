import { Controller, Get, Query, Res } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { Response } from 'express';
import type { EntityManager } from 'typeorm';
import { WindowQuery } from './dto/window.query';
import { FinanceExportService } from './finance-export.service';
import { FinanceRepository, Window } from './finance.repository';

function windowOf(query: WindowQuery): Window {
  const from = query.from ? new Date(query.from) : null;
  const to = query.to ? new Date(query.to) : null;
  if (from && to && from >= to) {
    throw new DomainError(ErrorCode.ValidationFailed, 'from must be before to', [
      'from: must be before to',
    ]);
  }
  return { from, to };
}

/** Finance: admin token only (the default). */
@Controller('finance')
export class FinanceController {
  constructor(
    @InjectEntityManager() private readonly db: EntityManager,
    private readonly finance: FinanceRepository,
    private readonly exports: FinanceExportService,
  ) {}

  @Get('ledger.csv')
  ledgerCsv(@Query() query: WindowQuery, @Res() res: Response): Promise<void> {
    return this.exports.streamLedger(windowOf(query), res);
  }

  @Get('summary')
  async summary(@Query() query: WindowQuery) {
    const window = windowOf(query);
    return {
      from: window.from?.toISOString() ?? null,
      to: window.to?.toISOString() ?? null,
      days: await this.finance.summary(this.db, window),
    };
  }
}
