import { Injectable } from '@nestjs/common';
import { ErrorCode, jsonAmount, VOID_SOURCE } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { DataSource } from 'typeorm';
import { ledgerEntryView } from '../ledger/entries/ledger-entry.view';
import { GrantRepository } from '../ledger/grants/grant.repository';
import { LedgerService } from '../ledger/ledger.service';
import { voidEventId } from '../ledger/plan-movements';
import type { VoidGrantDto } from './dto/void-grant.dto';

/**
 * Withdraws what remains of one grant now (a `void` entry); what was spent of it stays spent.
 * Once per grant: the void's entry has the grant's own event_id, so a repeat answers it again.
 */
@Injectable()
export class GrantVoidsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly grants: GrantRepository,
    private readonly ledger: LedgerService,
  ) {}

  async void(grantEventId: string, body: VoidGrantDto) {
    const grant = (await this.grants.findByEventIds(this.dataSource.manager, [grantEventId])).get(
      grantEventId,
    );
    if (!grant) throw new DomainError(ErrorCode.NotFound, `grant ${grantEventId} does not exist`);
    const [outcome] = await this.ledger.applyMovements([
      {
        event_id: voidEventId(grantEventId),
        user_id: grant.user_id,
        source: VOID_SOURCE,
        direction: 'expense',
        amount: 0n,
        void_grant: grantEventId,
        source_ref_id: grantEventId,
        description: body.reason ?? `void of grant ${grantEventId}`,
      },
    ]);
    if (outcome.kind === 'conflict')
      throw new DomainError(ErrorCode.EventIdConflict, outcome.reason);
    if (outcome.kind === 'refused') {
      throw new DomainError(outcome.refusal.code, outcome.refusal.reason);
    }
    const entry = outcome.kind === 'unpriced' ? null : outcome.entry;
    return {
      grant: grantEventId,
      user_id: grant.user_id,
      voided: jsonAmount(entry ? -entry.amount : 0n),
      entry: entry && ledgerEntryView(entry),
    };
  }
}
