import { Injectable } from '@nestjs/common';
import { InjectEntityManager } from '@nestjs/typeorm';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { EntityManager } from 'typeorm';
import type { LedgerPageQueryDto } from './dto/ledger-page.query';
import { decodeCursor, encodeCursor } from './ledger-cursor';
import { ledgerEntryView, LedgerEntryView } from './ledger-entry.view';
import { LedgerRepository } from './ledger.repository';

@Injectable()
export class LedgerQueriesService {
  constructor(
    @InjectEntityManager() private readonly db: EntityManager,
    private readonly ledger: LedgerRepository,
  ) {}

  async page(
    userId: string,
    query: LedgerPageQueryDto,
  ): Promise<{ items: LedgerEntryView[]; next_cursor: string | null }> {
    const beforeId = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && beforeId === undefined) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        'cursor: not a cursor returned by this endpoint',
      );
    }
    // One extra row tells whether there is a next page without a second query.
    const rows = await this.ledger.findPage(this.db, {
      userId,
      limit: query.limit + 1,
      beforeId,
      source: query.source,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    });
    const items = rows.slice(0, query.limit);
    return {
      items: items.map(ledgerEntryView),
      next_cursor: rows.length > query.limit ? encodeCursor(items[items.length - 1].id) : null,
    };
  }

  async entry(eventId: string): Promise<LedgerEntryView> {
    const entry = await this.ledger.findByEventId(this.db, eventId);
    if (!entry)
      throw new DomainError(ErrorCode.NotFound, `no ledger entry with event_id ${eventId}`);
    return ledgerEntryView(entry);
  }
}
