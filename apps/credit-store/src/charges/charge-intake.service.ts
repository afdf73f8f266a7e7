import { Injectable, Logger } from '@nestjs/common';
import {
  ErrorCode,
  isRefundMessage,
  parseChargeRequested,
  parseRefundRequested,
} from '@tally/contracts';
import type { InboundBatch } from '@tally/platform';
import { ChargeIntakeMetrics } from './charge-intake.metrics';
import { chargeMovement } from './charge-movement';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { Intake, IsolatingApplier } from './isolating-applier.service';
import { refundMovement } from './refund-movement';
import { WaitingRefunds } from './waiting-refunds.service';

function isEarlyRefund(letter: DeadLetter): boolean {
  return letter.code === ErrorCode.RefundOfUnknown && isRefundMessage(letter.message.headers);
}

/**
 * Turns a batch of `credit.charge.requested` messages into ledger entries: valid charges are
 * applied in one transaction; unparsable or invalid messages and conflicting repeats go to the
 * dead-letter topic with their reason, and are kept in the dead_letters table once per origin. It
 * resolves only when every message is either applied, a duplicate, or dead-lettered, so that the
 * batch's offsets can be committed.
 */
@Injectable()
export class ChargeIntakeService {
  private readonly logger = new Logger(ChargeIntakeService.name);

  constructor(
    private readonly applier: IsolatingApplier,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: ChargeIntakeMetrics,
    private readonly waitingRefunds: WaitingRefunds,
  ) {}

  async process(batch: InboundBatch): Promise<void> {
    const done = this.metrics.batchStarted(batch.messages.length);
    const letters: DeadLetter[] = [];
    const intakes: Intake[] = [];
    for (const message of batch.messages) {
      if (isRefundMessage(message.headers)) {
        const refund = parseRefundRequested(message.value);
        if (refund.ok) intakes.push({ message, movement: refundMovement(refund.event, message) });
        else letters.push({ message, code: refund.code, reasons: refund.reasons });
        continue;
      }
      const parsed = parseChargeRequested(message.value);
      if (!parsed.ok) {
        letters.push({ message, code: parsed.code, reasons: parsed.reasons });
        continue;
      }
      intakes.push({ message, movement: chargeMovement(parsed.event, message) });
    }
    const refused = await this.applier.apply(intakes, (outcomes) =>
      this.metrics.ledgerOutcomes(outcomes),
    );
    // A refund ahead of its charge waits for it (see WaitingRefunds) instead of being dead-lettered.
    await this.waitingRefunds.park(refused.filter(isEarlyRefund));
    letters.push(...refused.filter((letter) => !isEarlyRefund(letter)));
    await batch.heartbeat();
    await this.deadLetters.publish(letters);
    this.waitingRefunds.wake();
    this.metrics.deadLettered(letters);
    done();
    if (letters.length > 0) {
      this.logger.warn(`dead-lettered ${letters.length} of ${batch.messages.length} messages`);
    }
  }
}
