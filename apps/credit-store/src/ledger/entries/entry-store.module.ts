import { Module } from '@nestjs/common';
import { EntryChain } from './entry-chain';
import { EntryChainRepository } from './entry-chain.repository';
import { LedgerConflictRepository } from './ledger-conflict.repository';
import { LedgerQueriesService } from './ledger-queries.service';
import { LedgerController } from './ledger.controller';
import { LedgerRepository } from './ledger.repository';
import { UsageRecordRepository } from './usage-record.repository';

/** Ledger entries (append-only) and usage records, and the reads of an account's history. */
@Module({
  controllers: [LedgerController],
  providers: [
    LedgerRepository,
    LedgerConflictRepository,
    UsageRecordRepository,
    LedgerQueriesService,
    EntryChainRepository,
    EntryChain,
  ],
  exports: [
    LedgerRepository,
    LedgerConflictRepository,
    UsageRecordRepository,
    EntryChainRepository,
    EntryChain,
  ],
})
export class EntryStoreModule {}
