import { Controller, Get, Query, Res } from '@nestjs/common';
import { RequireRole } from '@tally/platform';
import type { Response } from 'express';
import { AuditService } from './audit.service';
import { AuditQuery } from './dto/audit.query';

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
