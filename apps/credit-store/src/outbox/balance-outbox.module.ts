import { Module } from '@nestjs/common';
import { BalanceOutboxRepository } from './balance-outbox.repository';
import { BalanceSnapshotMetrics } from './balance-snapshot.metrics';
import { BalanceSnapshotRelay } from './balance-snapshot.relay';
import { ParkedSnapshotsController } from './parked-snapshots.controller';

/** The credit-store's outbox: balance snapshots queued with each ledger change, and their relay. */
@Module({
  controllers: [ParkedSnapshotsController],
  providers: [BalanceOutboxRepository, BalanceSnapshotRelay, BalanceSnapshotMetrics],
  exports: [BalanceOutboxRepository, BalanceSnapshotRelay],
})
export class BalanceOutboxModule {}
