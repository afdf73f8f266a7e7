import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { EntityManager } from 'typeorm';
import type { LedgerEntry, Movement } from '../ledger/entries/ledger-entry';
import { ledgerEntryView, LedgerEntryView } from '../ledger/entries/ledger-entry.view';
import { LedgerOutcome, LedgerService } from '../ledger/ledger.service';
import type { CreateGrantDto } from './dto/create-grant.dto';

export type Income = Omit<Movement, 'direction' | 'hold_id' | 'usage' | 'origin'>;

/** The entry an income became, or the 409 its event_id deserves. */
export function incomeEntry(outcome: LedgerOutcome): LedgerEntry {
  if (outcome.kind === 'conflict') throw new DomainError(ErrorCode.EventIdConflict, outcome.reason);
  if (outcome.kind !== 'applied' && outcome.kind !== 'duplicate') {
    throw new Error(`an income cannot be ${outcome.kind}`);
  }
  return outcome.entry;
}

/** Incomes: each is a ledger entry and a grant (see planMovements), idempotent by event_id. */
@Injectable()
export class GrantsService {
  constructor(private readonly ledger: LedgerService) {}

  async credit(income: Income): Promise<LedgerEntry> {
    const [outcome] = await this.ledger.applyMovements([{ ...income, direction: 'income' }]);
    return incomeEntry(outcome);
  }

  /** Inside the caller's transaction (an order credited together with its status). */
  async creditWithin(db: EntityManager, income: Income): Promise<LedgerEntry> {
    const [outcome] = await this.ledger.applyWithin(db, [{ ...income, direction: 'income' }]);
    return incomeEntry(outcome);
  }

  /** Credits the account once per event_id; a repeat answers with the entry first written. */
  async grant(userId: string, grant: CreateGrantDto): Promise<LedgerEntryView> {
    const expiresAt =
      grant.expires_at === undefined || grant.expires_at === null
        ? grant.expires_at
        : new Date(grant.expires_at);
    const entry = await this.credit({
      event_id: grant.event_id,
      user_id: userId,
      source: grant.source,
      amount: BigInt(grant.amount),
      description: grant.description,
      expires_at: expiresAt,
      value: grant.value_cent
        ? { cent: BigInt(grant.value_cent), currency: grant.currency! }
        : undefined,
    });
    return ledgerEntryView(entry);
  }
}
