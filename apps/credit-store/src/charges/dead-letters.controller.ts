import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { Audited, DomainError, RequireRole } from '@tally/platform';
import { DataSource } from 'typeorm';
import { DeadLetterRedriveService, RedriveResult } from './dead-letter-redrive.service';
import { DeadLetterRepository, DeadLetterRow } from './dead-letter.repository';
import { DeadLettersQuery, RedriveManyDto } from './dto/dead-letters.query';

function letterId(id: string): string {
  if (!/^\d{1,18}$/.test(id)) {
    throw new DomainError(ErrorCode.ValidationFailed, 'id must be a dead letter id', [
      'id: must be a dead letter id (digits)',
    ]);
  }
  return id;
}

/** For operators: admin redrives; finance and support read. */
@Controller('admin/dead-letters')
export class DeadLettersController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deadLetters: DeadLetterRepository,
    private readonly redrives: DeadLetterRedriveService,
  ) {}

  /**
   * The charge messages the ledger could not apply, each once (by its topic, partition and
   * offset, however often it was dead-lettered), oldest first, with what became of their
   * redrives; `next_after` continues the list. Filters: code, status, event_id, from/to.
   */
  @Get()
  @RequireRole('finance', 'support')
  async list(
    @Query() query: DeadLettersQuery,
  ): Promise<{ rows: DeadLetterRow[]; next_after: string | null }> {
    const rows = await this.deadLetters.page(this.dataSource.manager, {
      after: String(query.after),
      limit: query.limit,
      code: query.code,
      status: query.status,
      event_id: query.event_id,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    });
    return { rows, next_after: rows.length === query.limit ? rows[rows.length - 1].id : null };
  }

  /**
   * Publishes the original message again to the charge topic (after its cause was fixed).
   * Idempotent by the original event_id: applied once however often it is redriven.
   */
  @Post(':id/redrive')
  @HttpCode(200)
  @Audited('dead_letter.redrive', { type: 'dead_letter', param: 'id' })
  async redrive(@Param('id') id: string): Promise<RedriveResult> {
    const [result] = await this.redrives.redrive([letterId(id)]);
    return result;
  }

  /** The same for many letters at once (up to 500). */
  @Post('redrive')
  @HttpCode(200)
  @Audited('dead_letter.redrive', { type: 'dead_letter' })
  async redriveMany(@Body() body: RedriveManyDto): Promise<{ results: RedriveResult[] }> {
    return { results: await this.redrives.redrive([...new Set(body.ids)]) };
  }
}
