import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { BalanceGuard } from './balance-guard';
import { BalanceSnapshotMetrics } from './balance-snapshot.metrics';
import { BalanceUpdatedConsumer } from './balance-updated.consumer';
import { GuardMetrics } from './guard.metrics';
import { BalanceViewRepository } from './balance-view.repository';
import { BalancesController } from './balances.controller';
import { ReservationRepository } from './reservation.repository';
import { ReservationSweeper } from './reservation-sweeper';

@Module({
  imports: [ApiKeysModule],
  controllers: [BalanceUpdatedConsumer, BalancesController],
  providers: [
    BalanceViewRepository,
    ReservationRepository,
    BalanceGuard,
    ReservationSweeper,
    BalanceSnapshotMetrics,
    GuardMetrics,
  ],
  exports: [BalanceGuard, BalanceViewRepository, ReservationRepository],
})
export class BalancesModule {}
