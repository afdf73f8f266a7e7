import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { RequireRole } from '@tally/platform';
import type { Response } from 'express';
import { AuditService } from './audit.service';
import { AuditQuery } from './dto/audit.query';
import { RelayedAuditRecordsDto } from './dto/relayed-audit-records.dto';

/** The audit trail of both apps: admin, finance and support read it. */
@Controller('admin')
@RequireRole('finance', 'support')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Newest first; `next_cursor` continues. Filters: actor (id or name), action, target_id, from/to. */
  @Get('audit')
  list(@Query() query: AuditQuery) {
    return this.audit.page(query);
  }

  @Get('audit.csv')
  csv(@Query() query: AuditQuery, @Res() res: Response): Promise<void> {
    return this.audit.streamCsv(query, res);
  }
}

/** Where the gateway's relay hands over its audit records (service): kept once by id. */
@Controller('audit/records')
@RequireRole('service')
export class RelayedAuditController {
  constructor(private readonly audit: AuditService) {}

  @Post()
  @HttpCode(200)
  async take(@Body() body: RelayedAuditRecordsDto): Promise<{ taken: number }> {
    await this.audit.take(body.records);
    return { taken: body.records.length };
  }
}
