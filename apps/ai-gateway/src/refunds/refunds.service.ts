import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  MAX_MESSAGE_BYTES,
  parseRefundRequested,
  REFUND_REQUESTED_EVENT_TYPE,
  REFUND_REQUESTED_SCHEMA_VERSION,
  type RefundRequestedEvent,
} from '@tally/contracts';
import { currentRequestId, DomainError, withTransactionRetry } from '@tally/platform';
import { DataSource, EntityManager } from 'typeorm';
import { GATEWAY_PRODUCER } from '../charges/charge-requested-envelope';
import { requestFingerprint } from '../charges/request-fingerprint';
import { OutboxRelay } from '../outbox/outbox-relay';
import type { CreateRefundDto } from './dto/create-refund.dto';
import { RefundRepository } from './refund.repository';

export interface RefundAccepted {
  event_id: string;
  refund_of: string;
  user_id: string;
  amount: number;
  status: 'accepted';
}

/** Room for the key and the headers beside the message's value. */
const BESIDES_VALUE_BYTES = 1_024;

/**
 * `POST /internal/refunds`: a refund of a charge this gateway recorded, queued through the outbox
 * like the charges. Refunds of one charge queue on its row's lock, so their sum never passes it
 * however many arrive at once; the ledger checks the same again when it applies them.
 */
@Injectable()
export class RefundsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly refunds: RefundRepository,
    private readonly relay: OutboxRelay,
  ) {}

  async accept(body: CreateRefundDto): Promise<RefundAccepted> {
    const fingerprint = requestFingerprint(body);
    const requestId = currentRequestId();
    const { answer, queued } = await withTransactionRetry(() =>
      this.dataSource.transaction('READ COMMITTED', (db) =>
        this.acceptWithin(db, body, fingerprint, requestId),
      ),
    );
    if (queued) this.relay.wake();
    return answer;
  }

  private async acceptWithin(
    db: EntityManager,
    body: CreateRefundDto,
    fingerprint: string,
    requestId: string | undefined,
  ): Promise<{ answer: RefundAccepted; queued: boolean }> {
    const repeat = async () => {
      const earlier = await this.refunds.findRefund(db, body.event_id);
      if (!earlier) return undefined;
      if (earlier.request_fingerprint !== fingerprint) {
        throw new DomainError(
          ErrorCode.EventIdConflict,
          `event_id ${body.event_id} was already used for a different refund`,
        );
      }
      return { answer: accepted(body.event_id, earlier), queued: false };
    };
    const first = await repeat();
    if (first) return first;
    if (await this.refunds.isCharge(db, body.event_id)) {
      throw new DomainError(
        ErrorCode.EventIdConflict,
        `event_id ${body.event_id} is a charge's; a refund needs its own`,
      );
    }
    const charge = await this.refunds.lockCharge(db, body.refund_of);
    if (!charge) {
      throw new DomainError(
        ErrorCode.RefundOfUnknown,
        `refund_of ${body.refund_of} is not a charge recorded by this gateway`,
      );
    }
    const left = charge.amount - charge.refunded;
    const amount = body.amount ?? left;
    if (amount <= 0 || amount > left) {
      throw new DomainError(
        ErrorCode.RefundExceedsCharge,
        `charge ${body.refund_of} took ${charge.amount} and ${charge.refunded} of it was refunded already: ${left} left to refund, ${body.amount ?? 'nothing'} asked`,
      );
    }
    const record = {
      ...{ event_id: body.event_id, refund_of: body.refund_of, reason: body.reason },
      ...{ metadata: body.metadata, user_id: charge.user_id, amount },
      request_fingerprint: fingerprint,
    };
    const envelope = refundEnvelope(record, requestId);
    if (!(await this.refunds.insertWithMessage(db, record, envelope, requestId))) {
      const raced = await repeat();
      if (raced) return raced;
      throw new Error(`refund ${body.event_id} was neither recorded nor found`);
    }
    return { answer: accepted(body.event_id, record), queued: true };
  }
}

function accepted(
  eventId: string,
  refund: { refund_of: string; user_id: string; amount: number },
): RefundAccepted {
  const { refund_of, user_id, amount } = refund;
  return { event_id: eventId, refund_of, user_id, amount, status: 'accepted' };
}

/** The refund's bus message, or the 400 naming what the credit-store would refuse in it. */
function refundEnvelope(
  refund: {
    event_id: string;
    refund_of: string;
    user_id: string;
    amount: number;
    reason?: string;
    metadata?: Record<string, unknown>;
  },
  requestId: string | undefined,
): RefundRequestedEvent {
  const envelope: RefundRequestedEvent = {
    event_id: refund.event_id,
    event_type: REFUND_REQUESTED_EVENT_TYPE,
    schema_version: REFUND_REQUESTED_SCHEMA_VERSION,
    occurred_at: new Date().toISOString(),
    producer: GATEWAY_PRODUCER,
    payload: {
      user_id: refund.user_id,
      refund_of: refund.refund_of,
      amount: refund.amount,
      reason: refund.reason,
      metadata: requestId ? { ...refund.metadata, request_id: requestId } : refund.metadata,
    },
  };
  const json = JSON.stringify(envelope);
  const parsed = parseRefundRequested(json);
  if (!parsed.ok) {
    const reasons = parsed.reasons.map((r) => r.replace(/^payload\./, ''));
    throw new DomainError(ErrorCode.ValidationFailed, reasons.join('; '), reasons);
  }
  const bytes = Buffer.byteLength(json) + BESIDES_VALUE_BYTES;
  if (bytes > MAX_MESSAGE_BYTES) {
    const reason = `metadata: makes the refund a message of about ${bytes} bytes, more than the bus carries (${MAX_MESSAGE_BYTES})`;
    throw new DomainError(ErrorCode.ValidationFailed, reason, [reason]);
  }
  return envelope;
}
