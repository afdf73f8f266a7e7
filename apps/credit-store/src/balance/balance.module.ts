import { Module } from '@nestjs/common';
import { BalanceOutboxRepository } from './balance-outbox.repository';
import { BalanceSnapshotMetrics } from './balance-snapshot.metrics';
import { BalanceSnapshotRelay } from './balance-snapshot.relay';

@Module({
  providers: [BalanceOutboxRepository, BalanceSnapshotRelay, BalanceSnapshotMetrics],
  exports: [BalanceOutboxRepository, BalanceSnapshotRelay],
})
export class BalanceModule {}
