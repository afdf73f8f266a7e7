import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { ledgerEntryView, LedgerEntryView } from '../ledger/entries/ledger-entry.view';
import { LedgerService } from '../ledger/ledger.service';
import type { CreateRefundDto } from './dto/create-refund.dto';
import { refundMovement } from './refund-movement';

/** Refunds asked by an admin or the gateway: applied at once, or refused with the ledger's reason. */
@Injectable()
export class RefundsService {
  constructor(private readonly ledger: LedgerService) {}

  async refund(userId: string, body: CreateRefundDto): Promise<LedgerEntryView> {
    const [outcome] = await this.ledger.applyMovements([refundMovement(userId, body)]);
    switch (outcome.kind) {
      case 'applied':
      case 'duplicate':
        return ledgerEntryView(outcome.entry);
      case 'conflict':
        throw new DomainError(ErrorCode.EventIdConflict, outcome.reason);
      case 'refused':
        throw new DomainError(outcome.refusal.code, outcome.refusal.reason);
      case 'unpriced':
        throw new Error('a refund always moves credits');
    }
  }
}
