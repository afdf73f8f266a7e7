import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError, inOneRoundTrip, pgPoolOf } from '@tally/platform';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../config/gateway.config';
import { BalanceViewRepository, Spendable } from './balance-view.repository';
import { ReservationRepository } from './reservation.repository';

/**
 * Decides, without calling the credit-store, whether a user may start (or continue) a priced
 * call: the latest balance snapshot, minus this gateway's charges the snapshot does not include
 * yet, minus what calls in flight have reserved, must cover the new reservation. Decisions for one
 * user are serialised by a row lock, so parallel calls cannot all spend the same credits: a user
 * overspends at most by what one call produces beyond its estimate.
 */
@Injectable()
export class BalanceGuard {
  private readonly pool: Pool;

  constructor(
    private readonly dataSource: DataSource,
    private readonly view: BalanceViewRepository,
    private readonly reservations: ReservationRepository,
    private readonly config: GatewayConfig,
  ) {
    this.pool = pgPoolOf(dataSource);
  }

  /** Reserves `amount` for a call, or refuses with 402 insufficient_credits. */
  async reserve(userId: string, reservationId: string, amount: number): Promise<void> {
    const refusal = await this.tryReserve(userId, reservationId, amount);
    if (refusal) throw refusal;
  }

  /** Grows a running call's reservation to `amount`; false when the user cannot cover it. */
  async extend(userId: string, reservationId: string, amount: number): Promise<boolean> {
    return (await this.tryReserve(userId, reservationId, amount)) === undefined;
  }

  /**
   * Pushes back the lapse of a running call's reservation (no lock: its amount does not change).
   * False when it is gone (it lapsed and was swept: the database was out of reach for a TTL).
   */
  renew(reservationId: string): Promise<boolean> {
    return this.reservations.renew(
      this.dataSource.manager,
      reservationId,
      this.config.RESERVATION_TTL_MS,
    );
  }

  async release(reservationId: string): Promise<void> {
    await this.reservations.release(this.dataSource.manager, reservationId);
  }

  /** The guard's view of a user, for operators and tests. */
  viewOf(userId: string): Promise<Spendable> {
    return this.view.spendable(this.dataSource.manager, userId);
  }

  /**
   * The lock and the reservation in one round trip and one transaction (see `inOneRoundTrip`); the
   * figures of a refusal are read after it, for its message only.
   */
  private async tryReserve(
    userId: string,
    reservationId: string,
    amount: number,
  ): Promise<DomainError | undefined> {
    const reservation = {
      id: reservationId,
      user_id: userId,
      amount,
      ttlMs: this.config.RESERVATION_TTL_MS,
    };
    const [, put] = await inOneRoundTrip(this.pool, [
      this.view.lockForReservation(userId),
      this.reservations.putIfCovered(reservation),
    ]);
    if (put.length === 1) return undefined;
    return insufficient(
      await this.view.spendable(this.dataSource.manager, userId, reservationId),
      amount,
    );
  }
}

function insufficient(state: Spendable, amount: number): DomainError {
  const why = state.blocked
    ? `the account of ${state.user_id} is blocked (balance ${state.balance}); top up first`
    : `this call may cost up to ${amount} credits and ${state.spendable > 0n ? state.spendable : 0n} are available`;
  return new DomainError(ErrorCode.InsufficientCredits, `insufficient credits: ${why}`);
}
