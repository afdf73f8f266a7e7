import { Controller, Get, Query } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeadLetterRepository, DeadLetterRow } from './dead-letter.repository';
import { DeadLettersQuery } from './dto/dead-letters.query';

/** For operators (admin token, the default). */
@Controller('admin/dead-letters')
export class DeadLettersController {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deadLetters: DeadLetterRepository,
  ) {}

  /**
   * The charge messages the ledger could not apply, each once (by its topic, partition and
   * offset, however often it was dead-lettered), oldest first; `next_after` continues the list.
   */
  @Get()
  async list(
    @Query() query: DeadLettersQuery,
  ): Promise<{ rows: DeadLetterRow[]; next_after: string | null }> {
    const rows = await this.deadLetters.page(
      this.dataSource.manager,
      String(query.after),
      query.limit,
    );
    return { rows, next_after: rows.length === query.limit ? rows[rows.length - 1].id : null };
  }
}
