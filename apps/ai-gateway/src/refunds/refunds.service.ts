import { Injectable } from '@nestjs/common';
import { ErrorCode, type ErrorBody } from '@tally/contracts';
import { AuditTrail, currentRequestId, DomainError } from '@tally/platform';
import { DataSource, EntityManager } from 'typeorm';
import { requestFingerprint } from '../charges/request-fingerprint';
import { GatewayConfig } from '../config/gateway.config';
import {
  CreditStoreClient,
  OnBehalfOf,
  personCalling,
} from '../credit-store-api/credit-store.client';
import type { CreateRefundDto } from './dto/create-refund.dto';
import { RefundRepository } from './refund.repository';

export interface RefundApplied {
  event_id: string;
  refund_of: string;
  user_id: string;
  amount: number;
  status: 'applied';
}

/** The first pause before asking again for a charge not in the ledger yet, and the longest. */
const FIRST_PAUSE_MS = 20;
const LONGEST_PAUSE_MS = 250;
/**
 * The ledger's answer to one refund: refunds of one account queue on its lock there, so a burst
 * of them may take longer than the usual calls' 5 s (a repeat after a timeout is answered alike).
 */
const LEDGER_ANSWER_MS = 30_000;

/**
 * `POST /internal/refunds`: a refund of a charge this gateway recorded. The ledger alone decides
 * (refunds also come straight to the credit-store, and the ledger sees both), so the refund is
 * asked of it synchronously and the answer is its decision: applied, or refused with its code.
 * A charge still on its way to the ledger is waited for, up to REFUND_CHARGE_WAIT_MS.
 * A person's refund is asked once, with the person's token and request id: the credit-store
 * authorizes it (support's daily limit) and writes its one audit record in the refund's
 * transaction, so none is written here (asking again would record each refusal).
 */
@Injectable()
export class RefundsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly refunds: RefundRepository,
    private readonly store: CreditStoreClient,
    private readonly config: GatewayConfig,
    private readonly trail: AuditTrail,
  ) {}

  async refund(body: CreateRefundDto, authorization?: string): Promise<RefundApplied> {
    const fingerprint = requestFingerprint(body);
    const known = await this.dataSource.transaction('READ COMMITTED', (db) => {
      // A look-up changes nothing: the request's record is not this transaction's.
      this.trail.nothingChanged();
      return this.lookUp(db, body, fingerprint);
    });
    if ('answer' in known) return known.answer;
    const amount = await this.applyInLedger(known.user_id, body, personCalling(authorization));
    const record = {
      ...{ event_id: body.event_id, refund_of: body.refund_of, reason: body.reason },
      ...{ metadata: body.metadata, user_id: known.user_id, amount },
      request_fingerprint: fingerprint,
    };
    if (await this.refunds.insert(this.dataSource.manager, record)) return applied(record);
    // Another request under this event_id was answered meanwhile: the same one, or a conflict.
    const raced = await this.lookUp(this.dataSource.manager, body, fingerprint);
    if ('answer' in raced) return raced.answer;
    throw new Error(`refund ${body.event_id} was neither recorded nor found`);
  }

  /** A repeat's answer (or its 409), or the user of the charge to refund. */
  private async lookUp(
    db: EntityManager,
    body: CreateRefundDto,
    fingerprint: string,
  ): Promise<{ answer: RefundApplied } | { user_id: string }> {
    const earlier = await this.refunds.findRefund(db, body.event_id);
    if (earlier) {
      if (earlier.request_fingerprint !== fingerprint) {
        throw new DomainError(
          ErrorCode.EventIdConflict,
          `event_id ${body.event_id} was already used for a different refund`,
        );
      }
      return { answer: applied({ event_id: body.event_id, ...earlier }) };
    }
    if (await this.refunds.isCharge(db, body.event_id)) {
      throw new DomainError(
        ErrorCode.EventIdConflict,
        `event_id ${body.event_id} is a charge's; a refund needs its own`,
      );
    }
    const userId = await this.refunds.chargeUser(db, body.refund_of);
    if (userId === undefined) {
      throw new DomainError(
        ErrorCode.RefundOfUnknown,
        `refund_of ${body.refund_of} is not a charge recorded by this gateway`,
      );
    }
    return { user_id: userId };
  }

  /** The amount the ledger refunded, or its refusal as a DomainError. */
  private async applyInLedger(
    userId: string,
    body: CreateRefundDto,
    person: OnBehalfOf | undefined,
  ): Promise<number> {
    const requestId = currentRequestId();
    const request = {
      ...body,
      metadata: requestId ? { ...body.metadata, request_id: requestId } : body.metadata,
    };
    const path = `/accounts/${encodeURIComponent(userId)}/refunds`;
    const deadline = Date.now() + this.config.REFUND_CHARGE_WAIT_MS;
    for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
      const answer = await this.store.call('POST', path, request, {
        timeoutMs: LEDGER_ANSWER_MS,
        onBehalfOf: person,
      });
      const error = answer.body as Partial<ErrorBody> | undefined;
      if (person && answer.status < 500) this.trail.recordedUpstream();
      if (answer.status === 201) return Number((answer.body as { amount: number }).amount);
      if (!error?.code || answer.status >= 500) {
        throw new DomainError(
          ErrorCode.ServiceUnavailable,
          `the credit-store answered ${answer.status}: nothing was refunded`,
        );
      }
      // This gateway recorded the charge, so the ledger not knowing it means it is on its way.
      if (error.code !== ErrorCode.RefundOfUnknown) {
        throw new DomainError(error.code, error.message ?? error.code, error.details);
      }
      if (person || Date.now() + pause > deadline) {
        const waited = person ? '' : ` within ${this.config.REFUND_CHARGE_WAIT_MS} ms`;
        throw new DomainError(
          ErrorCode.ServiceUnavailable,
          `charge ${body.refund_of} has not reached the ledger${waited} (or it was refused there): nothing was refunded; ask again later`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}

function applied(refund: {
  event_id: string;
  refund_of: string;
  user_id: string;
  amount: number;
}): RefundApplied {
  const { event_id, refund_of, user_id, amount } = refund;
  return { event_id, refund_of, user_id, amount, status: 'applied' };
}
