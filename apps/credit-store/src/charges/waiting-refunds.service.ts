import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ErrorCode, parseRefundRequested } from '@tally/contracts';
import { DataSource } from 'typeorm';
import { CreditStoreConfig } from '../config/credit-store.config';
import { ChargeIntakeMetrics } from './charge-intake.metrics';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { IsolatingApplier } from './isolating-applier.service';
import { refundMovement } from './refund-movement';
import { WaitingRefund, WaitingRefundRepository } from './waiting-refund.repository';

const BATCH = 500;

/**
 * A refund can reach the ledger before its charge (say, the charge was dead-lettered and is
 * redriven later). It is then set aside, not dead-lettered, and its partition goes on, so the
 * charge can still come in behind it. Whenever charges come in (and every REFUND_RETRY_SECONDS)
 * the waiting refunds whose charge is now in the ledger are applied. One still without its charge
 * after REFUND_WAIT_SECONDS is dead-lettered as refund_of_unknown.
 */
@Injectable()
export class WaitingRefunds implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WaitingRefunds.name);
  /** Whether there may be waiting refunds (the table is looked at only then). */
  private maybeWaiting = true;
  private running?: Promise<void>;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: WaitingRefundRepository,
    private readonly applier: IsolatingApplier,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly config: CreditStoreConfig,
    private readonly metrics: ChargeIntakeMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.maybeWaiting = true;
      this.wake();
    }, this.config.REFUND_RETRY_SECONDS * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Sets these refused refunds aside; answers the letters of those that cannot wait. */
  async park(letters: DeadLetter[]): Promise<void> {
    const waiting = letters.flatMap((letter): WaitingRefund[] => {
      const parsed = parseRefundRequested(letter.message.value);
      if (!parsed.ok) return [];
      const { event_id, payload } = parsed.event;
      return [
        {
          event_id,
          user_id: payload.user_id,
          refund_of: payload.refund_of,
          message: letter.message,
        },
      ];
    });
    if (waiting.length === 0) return;
    await this.repository.park(this.dataSource.manager, waiting);
    this.metrics.refundsWaiting('parked', waiting.length);
    this.maybeWaiting = true;
  }

  /** Looks at the waiting refunds soon (after charges came in), unless there are none. */
  wake(): void {
    if (!this.maybeWaiting || this.running) return;
    this.running = this.retry()
      .catch((error: unknown) => this.logger.warn(`waiting refunds not retried: ${String(error)}`))
      .finally(() => (this.running = undefined));
  }

  /** Applies those whose charge has come; dead-letters those that waited too long. */
  async retry(): Promise<void> {
    this.maybeWaiting = false;
    const db = this.dataSource.manager;
    const charged = await this.repository.findCharged(db, BATCH);
    if (charged.length > 0) {
      // One by one if the batch fails on one, as the consumer does: a refund the ledger can never
      // take is dead-lettered alone, and the others (and the overdue sweep below) go on.
      const refused = await this.applier.apply(
        charged.map((refund) => ({ message: refund.message, movement: asMovement(refund) })),
      );
      const eventIds = new Map(charged.map((refund) => [refund.message, refund.event_id]));
      const letters = new Map(refused.map((letter) => [eventIds.get(letter.message)!, letter]));
      // Only the transaction that takes a refund out of the list dead-letters it (replicas race).
      await this.dataSource.transaction(async (tx) => {
        const taken = await this.repository.remove(
          tx,
          charged.map((r) => r.event_id),
        );
        const dead = taken.flatMap((id) => letters.get(id) ?? []);
        await this.deadLetters.publish(dead, tx);
        this.metrics.refundsWaiting('applied', taken.length - dead.length);
        this.metrics.refundsWaiting('dead_lettered', dead.length);
      });
    }
    await this.dataSource.transaction(async (tx) => {
      const overdue = await this.repository.removeOverdue(
        tx,
        this.config.REFUND_WAIT_SECONDS,
        BATCH,
      );
      await this.deadLetters.publish(
        overdue.map((refund) => ({
          message: refund.message,
          code: ErrorCode.RefundOfUnknown,
          reasons: [
            `charge ${refund.refund_of} did not reach the ledger within ${this.config.REFUND_WAIT_SECONDS} s of its refund`,
          ],
        })),
        tx,
      );
      this.metrics.refundsWaiting('dead_lettered', overdue.length);
    });
    if ((await this.repository.count(db)) > 0) this.maybeWaiting = true;
  }
}

function asMovement(refund: WaitingRefund) {
  const parsed = parseRefundRequested(refund.message.value);
  if (!parsed.ok) throw new Error(`waiting refund ${refund.event_id} no longer parses`);
  return refundMovement(parsed.event, refund.message);
}
