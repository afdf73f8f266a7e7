// The credit-store's LedgerService built by hand on one DataSource, for benches that measure the
// apply transaction itself (no broker, no HTTP: batches go straight in).
import { DataSource } from 'typeorm';
import type { AuditTrail } from '@tally/platform';
import { CreditStoreConfig } from '../../apps/credit-store/src/config/credit-store.config';
import { AccountRepository } from '../../apps/credit-store/src/ledger/accounts/account.repository';
import { EntryChain } from '../../apps/credit-store/src/ledger/entries/entry-chain';
import { LedgerConflictRepository } from '../../apps/credit-store/src/ledger/entries/ledger-conflict.repository';
import { LedgerRepository } from '../../apps/credit-store/src/ledger/entries/ledger.repository';
import { UsageRecordRepository } from '../../apps/credit-store/src/ledger/entries/usage-record.repository';
import { GrantPolicy } from '../../apps/credit-store/src/ledger/grants/grant-policy';
import { GrantRepository } from '../../apps/credit-store/src/ledger/grants/grant.repository';
import { HoldRepository } from '../../apps/credit-store/src/ledger/holds/hold.repository';
import { LedgerService } from '../../apps/credit-store/src/ledger/ledger.service';
import { RevenueDayRepository } from '../../apps/credit-store/src/ledger/revenue/revenue-day.repository';
import { BalanceOutboxRepository } from '../../apps/credit-store/src/outbox/balance-outbox.repository';
import type { BalanceSnapshotRelay } from '../../apps/credit-store/src/outbox/balance-snapshot.relay';
import { AccountEventRepository } from '../../apps/credit-store/src/outbox/account-event.repository';
import type { AccountEventRelay } from '../../apps/credit-store/src/outbox/account-event.relay';

/** `chain`: what links entries before they are written; production's EntryChain by default. */
export function ledgerOn(db: DataSource, chain?: EntryChain): LedgerService {
  const entries = new LedgerRepository();
  // The relay only publishes snapshots to Kafka once woken; these benches measure the transaction.
  const relay = { wake: () => undefined } as unknown as BalanceSnapshotRelay;
  return new LedgerService(
    db,
    new AccountRepository(),
    entries,
    new GrantRepository(),
    new HoldRepository(),
    new LedgerConflictRepository(),
    new UsageRecordRepository(),
    new BalanceOutboxRepository(),
    relay,
    new GrantPolicy(new CreditStoreConfig()),
    new RevenueDayRepository(),
    // Outside any request: the audit trail has nothing to do.
    { nothingChanged: () => undefined } as unknown as AuditTrail,
    chain ?? new EntryChain(entries),
    new AccountEventRepository(),
    // Like the snapshot relay: woken after commit, never started here.
    relay as unknown as AccountEventRelay,
    new CreditStoreConfig(),
  );
}
