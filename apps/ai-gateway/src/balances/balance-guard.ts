import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError, inOneRoundTrip, pgPoolOf } from '@tally/platform';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { KeyClock } from '../api-keys/key-clock';
import { keyRefusal } from '../api-keys/key-refusal';
import { GatewayConfig } from '../config/gateway.config';
import { BalanceViewRepository, Spendable } from './balance-view.repository';
import { GuardMetrics } from './guard.metrics';
import { ReservationRepository } from './reservation.repository';

/** The API key a call is made through: its limits are checked in the same decision. */
export interface KeyedCall {
  keyId: string;
  /** The call's token estimate (for tpm). */
  tokens: number;
}

/** A refusal, or the minute a started call was counted in (for its tokens' correction). */
type Decision = { refusal: DomainError } | { refusal?: undefined; minute?: Date };

/**
 * Decides, without calling the credit-store, whether a user may start (or continue) a priced
 * call: the latest balance snapshot, minus this gateway's charges the snapshot does not include
 * yet, minus what calls in flight have reserved, must cover the new reservation. Decisions for one
 * user are serialised by a row lock, so parallel calls cannot all spend the same credits: a user
 * overspends at most by what one call produces beyond its estimate. A call's API key is checked
 * in the same statement (its budget against its spend and reservations, its rate limits against
 * its minute counters), under the same lock: a key's limits hold across replicas just as well.
 */
@Injectable()
export class BalanceGuard {
  private readonly pool: Pool;

  constructor(
    private readonly dataSource: DataSource,
    private readonly view: BalanceViewRepository,
    private readonly reservations: ReservationRepository,
    private readonly config: GatewayConfig,
    private readonly clock: KeyClock,
    private readonly metrics: GuardMetrics,
  ) {
    this.pool = pgPoolOf(dataSource);
  }

  /**
   * Reserves `amount` for a call (through `key`, whose limits it must pass too), or refuses with
   * 402 insufficient_credits, 402 key_budget_exceeded or 429 rate_limited. Answers the minute the
   * call was counted in against its key.
   */
  async reserve(
    userId: string,
    reservationId: string,
    amount: number,
    key?: KeyedCall,
  ): Promise<Date | undefined> {
    const decision = await this.tryReserve(userId, reservationId, amount, key, true);
    if (decision.refusal) throw decision.refusal;
    return decision.minute;
  }

  /**
   * Grows a running call's reservation to `amount`; the refusal when the user (or the key's
   * budget) cannot cover it.
   */
  async extend(
    userId: string,
    reservationId: string,
    amount: number,
    keyId?: string,
  ): Promise<DomainError | undefined> {
    const key = keyId ? { keyId, tokens: 0 } : undefined;
    return (await this.tryReserve(userId, reservationId, amount, key, false)).refusal;
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

  /**
   * What a call through key `keyId` could reserve now, and which runs out first: the user's
   * spendable credits (none when blocked) or the key's budget left. Read without the lock: the
   * reservation that follows decides.
   */
  async affordable(
    userId: string,
    keyId?: string,
  ): Promise<{ credits: bigint; by: 'balance' | 'key' }> {
    const state = await this.view.spendable(this.dataSource.manager, userId);
    const credits = state.blocked || state.spendable < 0n ? 0n : state.spendable;
    const keyLeft = keyId
      ? await this.reservations.keyBudgetLeft(this.dataSource.manager, keyId, this.clock.now())
      : undefined;
    if (keyLeft !== undefined && keyLeft < credits) {
      return { credits: keyLeft < 0n ? 0n : keyLeft, by: 'key' };
    }
    return { credits, by: 'balance' };
  }

  /** The guard's view of a user, for operators and tests. */
  viewOf(userId: string): Promise<Spendable> {
    return this.view.spendable(this.dataSource.manager, userId);
  }

  /**
   * The lock and the reservation in one round trip and one transaction (see `inOneRoundTrip`); the
   * figures of a balance refusal are read after it, for its message only.
   */
  private async tryReserve(
    userId: string,
    reservationId: string,
    amount: number,
    key: KeyedCall | undefined,
    opening: boolean,
  ): Promise<Decision> {
    const now = this.clock.now();
    const reservation = {
      id: reservationId,
      user_id: userId,
      amount,
      ttlMs: this.config.RESERVATION_TTL_MS,
    };
    const keyed = key && { id: key.keyId, now, tokens: key.tokens, opening };
    const [, put] = await inOneRoundTrip(this.pool, [
      this.view.lockForReservation(userId),
      this.reservations.putIfCovered(reservation, keyed),
    ]);
    const verdict = this.reservations.verdictOf(put);
    if (verdict.refusal === null) return { minute: verdict.minute };
    const refusal =
      verdict.refusal !== 'balance'
        ? keyRefusal(verdict.refusal, verdict.key, amount, now)
        : insufficient(
            await this.view.spendable(this.dataSource.manager, userId, reservationId),
            amount,
          );
    this.metrics.refused(refusal.code);
    return { refusal };
  }
}

function insufficient(state: Spendable, amount: number): DomainError {
  const why = state.blocked
    ? `the account of ${state.user_id} is blocked (balance ${state.balance}); top up first`
    : `this call may cost up to ${amount} credits and ${state.spendable > 0n ? state.spendable : 0n} are available`;
  return new DomainError(ErrorCode.InsufficientCredits, `insufficient credits: ${why}`);
}
