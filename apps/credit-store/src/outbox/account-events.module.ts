import { Module } from '@nestjs/common';
import { AccountEventRelay } from './account-event.relay';
import { AccountEventRepository } from './account-event.repository';

/** The credit-store's outbox of account events (written by the ledger) and their relay. */
@Module({
  providers: [AccountEventRepository, AccountEventRelay],
  exports: [AccountEventRepository, AccountEventRelay],
})
export class AccountEventsModule {}
