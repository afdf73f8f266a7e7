import { Injectable, Logger } from '@nestjs/common';
import {
  ErrorCode,
  isRefundMessage,
  parseChargeRequested,
  parseRefundRequested,
} from '@tally/contracts';
import type { InboundBatch, InboundMessage } from '@tally/platform';
import { sqlStateOf } from '@tally/platform';
import type { Movement } from '../ledger/entries/ledger-entry';
import { LedgerOutcome, LedgerService } from '../ledger/ledger.service';
import { ChargeIntakeMetrics } from './charge-intake.metrics';
import { chargeMovement } from './charge-movement';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { refundMovement } from './refund-movement';
import { WaitingRefunds } from './waiting-refunds.service';

interface Intake {
  message: InboundMessage;
  movement: Movement;
}

/** SQLSTATE classes of errors that the same message would raise again however often it is retried. */
function isPermanentDataError(error: unknown): boolean {
  const code = sqlStateOf(error) ?? '';
  return code.startsWith('22') || (code.startsWith('23') && code !== '23505');
}

/**
 * A unique violation that outlived the ledger's own retries. A race (another transaction
 * inserting the same event at the same moment) clears on the first retry, which then sees the
 * winner's entry; one still there after them is the message itself (say, a free charge's
 * event_id reused to capture another hold), which would stall its partition for ever.
 */
function isLastingDuplicateKey(error: unknown): boolean {
  return sqlStateOf(error) === '23505';
}

function duplicateKeyReason(error: unknown): string {
  const failure = error as {
    detail?: string;
    driverError?: { detail?: string; constraint?: string };
  };
  const detail = failure.driverError?.detail ?? failure.detail ?? (error as Error).message;
  const constraint = failure.driverError?.constraint;
  return `the ledger refused it on every retry: ${detail}${constraint ? ` (${constraint})` : ''}`;
}

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
    private readonly ledger: LedgerService,
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
    const refused = await this.apply(intakes);
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

  /**
   * Applies all at once; if that fails for a data error or a lasting duplicate key, one by one
   * to isolate the bad ones.
   */
  private async apply(intakes: Intake[]): Promise<DeadLetter[]> {
    try {
      return this.refusalLetters(
        intakes,
        await this.ledger.applyMovements(intakes.map((i) => i.movement)),
      );
    } catch (error) {
      if (!isPermanentDataError(error) && !isLastingDuplicateKey(error)) throw error;
    }
    const letters: DeadLetter[] = [];
    for (const intake of intakes) {
      try {
        letters.push(
          ...this.refusalLetters([intake], await this.ledger.applyMovements([intake.movement])),
        );
      } catch (error) {
        if (isLastingDuplicateKey(error)) {
          letters.push({
            message: intake.message,
            code: ErrorCode.EventIdConflict,
            reasons: [duplicateKeyReason(error)],
          });
          continue;
        }
        if (!isPermanentDataError(error)) throw error;
        letters.push({
          message: intake.message,
          code: ErrorCode.ValidationFailed,
          reasons: [`the ledger refused it: ${(error as Error).message}`],
        });
      }
    }
    return letters;
  }

  /** Conflicting repeats and refused captures cannot be applied however often they come back. */
  private refusalLetters(intakes: Intake[], outcomes: LedgerOutcome[]): DeadLetter[] {
    this.metrics.ledgerOutcomes(outcomes);
    return outcomes.flatMap((outcome, index): DeadLetter[] => {
      const { message } = intakes[index];
      if (outcome.kind === 'conflict') {
        return [{ message, code: ErrorCode.EventIdConflict, reasons: [outcome.reason] }];
      }
      if (outcome.kind === 'refused') {
        return [{ message, code: outcome.refusal.code, reasons: [outcome.refusal.reason] }];
      }
      return [];
    });
  }
}
