import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { auditRecordOf, DomainError } from '@tally/platform';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { csvField } from '../finance/finance-export.csv';
import { decodeAuditCursor, encodeAuditCursor } from './audit-record.view';
import { AuditFilter, AuditRepository } from './audit.repository';
import type { AuditQuery } from './dto/audit.query';

const CSV_COLUMNS = [
  'id',
  'at',
  'app',
  'actor_id',
  'actor_name',
  'actor_role',
  'action',
  'target_type',
  'target_id',
  'request_id',
  'outcome',
  'status',
  'before',
  'after',
] as const;
const CSV_PAGE = 1000;

/** The audit trail of both apps (the gateway's records arrive over the bus). */
@Injectable()
export class AuditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly records: AuditRepository,
  ) {}

  async page(query: AuditQuery) {
    const limit = query.limit ?? 100;
    const rows = await this.records.page(this.dataSource.manager, filterOf(query), limit);
    return {
      items: rows.map(auditRecordOf),
      next_cursor: rows.length === limit ? encodeAuditCursor(rows[rows.length - 1]) : null,
    };
  }

  /** Page after page, newest first, written as they are read. */
  async streamCsv(query: AuditQuery, res: Response): Promise<void> {
    const filter = filterOf({ ...query, cursor: undefined });
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="audit.csv"');
    res.write(`${CSV_COLUMNS.join(',')}\r\n`);
    for (;;) {
      const rows = await this.records.page(this.dataSource.manager, filter, CSV_PAGE);
      for (const row of rows) {
        const text: Record<string, string | null> = {
          ...row,
          at: row.at.toISOString(),
          status: String(row.status),
          before: row.before === null ? null : JSON.stringify(row.before),
          after: row.after === null ? null : JSON.stringify(row.after),
        };
        res.write(`${CSV_COLUMNS.map((c) => csvField(c, text[c])).join(',')}\r\n`);
      }
      if (rows.length < CSV_PAGE) break;
      filter.before = { at: rows[rows.length - 1].at, id: rows[rows.length - 1].id };
    }
    res.end();
  }
}

function filterOf(query: AuditQuery): AuditFilter {
  const before = query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor);
  if (query.cursor !== undefined && !before) {
    throw new DomainError(ErrorCode.ValidationFailed, 'cursor is not one this API gave', [
      'cursor: is not one this API gave',
    ]);
  }
  return {
    actor: query.actor,
    action: query.action,
    target_id: query.target_id,
    from: query.from ? new Date(query.from) : undefined,
    to: query.to ? new Date(query.to) : undefined,
    before,
  };
}
