import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ErrorCode, type ChargeRequestedEvent } from '@tally/contracts';
import { currentRequestId, DomainError, GroupCommit, ItemResult } from '@tally/platform';
import { KeyClock } from '../api-keys/key-clock';
import { GatewayConfig } from '../config/gateway.config';
import { OutboxRelay } from '../outbox/outbox-relay';
import { ChargeRecord, ChargeRepository, EarlierCharge } from './charge.repository';
import { chargeMessageProblems } from './charge-message-check';
import { chargeRequestedEnvelope } from './charge-requested-envelope';

/** A charge to record; its sequence is given when it is recorded. */
export type NewCharge = Omit<ChargeRecord, 'sequence'>;

export interface RecordedCharge {
  /** The amount first recorded under this event_id (a repeat answers the first). */
  amount: number;
  firstTime: boolean;
}

interface ChargeToRecord {
  charge: NewCharge;
  envelope: ChargeRequestedEvent;
  reservationId?: string;
  apiKeyId?: string;
  /** Taken when the charge is submitted: the group's write runs in another request's context. */
  requestId?: string;
}

/**
 * Records charges: the gateway's row and its outbox message in one transaction, so either both
 * exist or neither. Every charge of the gateway (chat calls and internal charges) goes through
 * here, which numbers it for the balance guard and releases the call's reservation in the same
 * transaction (so the guard never sees both, nor neither).
 *
 * Charges recorded at the same moment share that transaction (group commit): one statement, one
 * commit and one fsync for the whole group instead of five round trips each. Each caller still
 * gets its answer only after the commit, so a 202 always means durably recorded.
 */
@Injectable()
export class ChargesService {
  private readonly group: GroupCommit<ChargeToRecord, RecordedCharge>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly charges: ChargeRepository,
    private readonly relay: OutboxRelay,
    private readonly clock: KeyClock,
    config: GatewayConfig,
  ) {
    this.group = new GroupCommit((batch) => this.recordBatch(batch), {
      maxBatch: config.CHARGE_GROUP_MAX,
      concurrency: config.CHARGE_GROUP_WRITERS,
    });
  }

  /**
   * A repeat of the same request (same fingerprint) answers as the first did; another request
   * under the same event_id is refused with 409. A charge the credit-store could not apply is
   * refused with 400 before anything is written. A charge through an API key counts in the key's
   * spend (its budget).
   */
  async record(
    charge: NewCharge,
    reservationId?: string,
    apiKeyId?: string,
  ): Promise<RecordedCharge> {
    const requestId = currentRequestId();
    const envelope = applicableEnvelope(charge, requestId);
    return this.group.submit({ charge, envelope, reservationId, apiKeyId, requestId });
  }

  /** The 400 that record() would answer for this charge, if any, without recording it. */
  check(charge: NewCharge): void {
    applicableEnvelope(charge, currentRequestId());
  }

  /**
   * The amount of the earlier charge with this event_id (undefined if none); 409 if that charge
   * was another request.
   */
  async firstAmount(
    charge: Pick<NewCharge, 'event_id' | 'request_fingerprint'>,
  ): Promise<number | undefined> {
    const existing = await this.charges.findFingerprints(this.dataSource.manager, [
      charge.event_id,
    ]);
    return answerRepeat(charge, existing.get(charge.event_id));
  }

  private async recordBatch(batch: ChargeToRecord[]): Promise<ItemResult<RecordedCharge>[]> {
    // A client retrying at once can put one event_id twice in a batch: the statement takes the
    // first, and the others are answered as its repeats.
    const firstIndex = new Map<string, number>();
    batch.forEach((b, i) => {
      if (!firstIndex.has(b.charge.event_id)) firstIndex.set(b.charge.event_id, i);
    });
    const distinct = [...firstIndex.values()].map((i) => batch[i]);
    const outcomes = await this.charges.recordBatch(
      this.dataSource.manager,
      distinct.map(({ charge, envelope, requestId, apiKeyId }) => ({
        ...charge,
        request_id: requestId,
        api_key_id: apiKeyId,
        envelope,
      })),
      batch.flatMap((b) => (b.reservationId ? [b.reservationId] : [])),
      this.clock.now().toISOString().slice(0, 10),
    );
    if (outcomes.some((o) => o.inserted)) this.relay.wake();

    const inserted = new Set<string>();
    const earlier = new Map<string, EarlierCharge>();
    const unseen: string[] = [];
    distinct.forEach(({ charge }, i) => {
      const outcome = outcomes[i];
      if (outcome.inserted) {
        inserted.add(charge.event_id);
        earlier.set(charge.event_id, charge);
      } else if (outcome.earlier) earlier.set(charge.event_id, outcome.earlier);
      else unseen.push(charge.event_id);
    });
    // Inserted by a transaction that committed after the statement's snapshot was taken.
    if (unseen.length > 0) {
      for (const [eventId, charge] of await this.charges.findFingerprints(
        this.dataSource.manager,
        unseen,
      )) {
        earlier.set(eventId, charge);
      }
    }
    return batch.map(({ charge }, i): ItemResult<RecordedCharge> => {
      if (firstIndex.get(charge.event_id) === i && inserted.has(charge.event_id)) {
        return { ok: true, value: { amount: charge.amount, firstTime: true } };
      }
      try {
        const amount = answerRepeat(charge, earlier.get(charge.event_id));
        if (amount === undefined)
          throw new Error(`charge ${charge.event_id} was neither recorded nor found`);
        return { ok: true, value: { amount, firstTime: false } };
      } catch (error) {
        return { ok: false, error };
      }
    });
  }
}

/** The charge's bus message, or the 400 naming what the credit-store would refuse in it. */
function applicableEnvelope(
  charge: NewCharge,
  requestId: string | undefined,
): ChargeRequestedEvent {
  const envelope = chargeRequestedEnvelope(charge, new Date(), requestId);
  const problems = chargeMessageProblems(envelope);
  if (problems.length > 0) {
    throw new DomainError(ErrorCode.ValidationFailed, problems.join('; '), problems);
  }
  return envelope;
}

/** A repeat answers the first charge's amount; another request under its event_id is a 409. */
function answerRepeat(
  charge: Pick<NewCharge, 'event_id' | 'request_fingerprint'>,
  existing: { amount: number; request_fingerprint: string } | undefined,
): number | undefined {
  if (!existing) return undefined;
  if (existing.request_fingerprint !== charge.request_fingerprint) {
    throw new DomainError(
      ErrorCode.EventIdConflict,
      `event_id ${charge.event_id} was already used for a different charge`,
    );
  }
  return existing.amount;
}
