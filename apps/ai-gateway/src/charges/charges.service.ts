import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ErrorCode, Topics } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { BalanceViewRepository } from '../balances/balance-view.repository';
import { ReservationRepository } from '../balances/reservation.repository';
import { OutboxRelay } from '../outbox/outbox-relay';
import { OutboxRepository } from '../outbox/outbox.repository';
import { ChargeRecord, ChargeRepository } from './charge.repository';
import { chargeRequestedEnvelope } from './charge-requested-envelope';

/** A charge to record; its sequence is given when it is recorded. */
export type NewCharge = Omit<ChargeRecord, 'sequence'>;

export interface RecordedCharge {
  /** The amount first recorded under this event_id (a repeat answers the first). */
  amount: number;
  firstTime: boolean;
}

/**
 * Records charges: the gateway's row and its outbox message in one transaction, so either both
 * exist or neither. Every charge of the gateway (chat calls and internal charges) goes through
 * here, which numbers it for the balance guard and releases the call's reservation in the same
 * transaction (so the guard never sees both, nor neither).
 */
@Injectable()
export class ChargesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly charges: ChargeRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly balanceView: BalanceViewRepository,
    private readonly reservations: ReservationRepository,
  ) {}

  /**
   * A repeat of the same request (same fingerprint) answers as the first did; another request
   * under the same event_id is refused with 409.
   */
  async record(charge: NewCharge, reservationId?: string): Promise<RecordedCharge> {
    const recorded = await this.dataSource.transaction(async (db): Promise<RecordedCharge> => {
      const sequence = await this.balanceView.nextChargeSequence(db, charge.user_id);
      if (reservationId) await this.reservations.release(db, reservationId);
      const record = { ...charge, sequence };
      if (!(await this.charges.insertIfAbsent(db, record))) {
        return { amount: (await this.firstAmount(charge, db))!, firstTime: false };
      }
      const envelope = chargeRequestedEnvelope(record, new Date());
      await this.outbox.enqueue(db, {
        topic: Topics.chargeRequested,
        key: charge.user_id,
        eventId: charge.event_id,
        eventType: envelope.event_type,
        payload: envelope,
      });
      return { amount: charge.amount, firstTime: true };
    });
    if (recorded.firstTime) this.relay.wake();
    return recorded;
  }

  /**
   * The amount of the earlier charge with this event_id (undefined if none); 409 if that charge
   * was another request.
   */
  async firstAmount(
    charge: Pick<NewCharge, 'event_id' | 'request_fingerprint'>,
    db: EntityManager = this.dataSource.manager,
  ): Promise<number | undefined> {
    const existing = await this.charges.findFingerprint(db, charge.event_id);
    if (!existing) return undefined;
    if (existing.request_fingerprint !== charge.request_fingerprint) {
      throw new DomainError(
        ErrorCode.EventIdConflict,
        `event_id ${charge.event_id} was already used for a different charge`,
      );
    }
    return existing.amount;
  }
}
