import { Module } from '@nestjs/common';
import { BalanceOutboxRepository } from './balance-outbox.repository';
import { BalanceSnapshotRelay } from './balance-snapshot.relay';

@Module({
  providers: [BalanceOutboxRepository, BalanceSnapshotRelay],
  exports: [BalanceOutboxRepository, BalanceSnapshotRelay],
})
export class BalanceModule {}
