import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { ledgerEntryView, LedgerEntryView } from '../ledger/ledger-entry.view';
import { LedgerService } from '../ledger/ledger.service';
import type { CreateGrantDto } from './dto/create-grant.dto';

@Injectable()
export class GrantsService {
  constructor(private readonly ledger: LedgerService) {}

  /** Credits the account once per event_id; a repeat answers with the entry first written. */
  async grant(userId: string, grant: CreateGrantDto): Promise<LedgerEntryView> {
    const [outcome] = await this.ledger.applyMovements([
      {
        event_id: grant.event_id,
        user_id: userId,
        source: grant.source,
        direction: 'income',
        amount: BigInt(grant.amount),
        description: grant.description,
      },
    ]);
    if (outcome.kind === 'conflict')
      throw new DomainError(ErrorCode.EventIdConflict, outcome.reason);
    return ledgerEntryView(outcome.entry);
  }
}
