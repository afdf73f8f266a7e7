import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ErrorCode, Topics } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import { OutboxRelay } from '../outbox/outbox-relay';
import { OutboxRepository } from '../outbox/outbox.repository';
import { ChargeRepository } from './charge.repository';
import { chargeRequestedEnvelope } from './charge-requested-envelope';
import type { CreateChargeDto } from './dto/create-charge.dto';
import { requestFingerprint } from './request-fingerprint';

export interface ChargeAccepted {
  event_id: string;
  amount: number;
  status: 'accepted';
}

@Injectable()
export class ChargesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly charges: ChargeRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
  ) {}

  /**
   * Records the charge and its outbox message in one transaction: either both exist or neither.
   * A repeat of the same request answers as the first did; another request under the same
   * event_id is refused.
   */
  async accept(charge: CreateChargeDto): Promise<ChargeAccepted> {
    const fingerprint = requestFingerprint(charge);
    const envelope = chargeRequestedEnvelope(charge, new Date());
    const firstTime = await this.dataSource.transaction(async (db) => {
      const inserted = await this.charges.insertIfAbsent(db, {
        ...charge,
        pricing: envelope.payload.pricing,
        request_fingerprint: fingerprint,
      });
      if (!inserted) {
        const existing = await this.charges.findFingerprint(db, charge.event_id);
        if (existing?.request_fingerprint !== fingerprint) {
          throw new DomainError(
            ErrorCode.EventIdConflict,
            `event_id ${charge.event_id} was already used for a different charge`,
          );
        }
        return false;
      }
      await this.outbox.enqueue(db, {
        topic: Topics.chargeRequested,
        key: charge.user_id,
        eventId: charge.event_id,
        eventType: envelope.event_type,
        payload: envelope,
      });
      return true;
    });
    if (firstTime) this.relay.wake();
    return { event_id: charge.event_id, amount: charge.amount, status: 'accepted' };
  }
}
