import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { type InboundMessage, sqlStateOf } from '@tally/platform';
import type { Movement } from '../ledger/entries/ledger-entry';
import { LedgerOutcome, LedgerService } from '../ledger/ledger.service';
import type { DeadLetter } from './dead-letter.publisher';

/** A bus message and the movement it asks of the ledger. */
export interface Intake {
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

/**
 * Applies bus messages to the ledger all at once; if that fails for a data error or a lasting
 * duplicate key, one by one, so one message the ledger can never take is dead-lettered alone
 * instead of holding up the others for ever. Any other error (database down) is thrown: the
 * caller tries the whole again later. Answers the letters of those that cannot be applied.
 */
@Injectable()
export class IsolatingApplier {
  constructor(private readonly ledger: LedgerService) {}

  async apply(
    intakes: Intake[],
    observe: (outcomes: LedgerOutcome[]) => void = () => undefined,
  ): Promise<DeadLetter[]> {
    try {
      const outcomes = await this.ledger.applyMovements(intakes.map((i) => i.movement));
      observe(outcomes);
      return refusalLetters(intakes, outcomes);
    } catch (error) {
      if (!isPermanentDataError(error) && !isLastingDuplicateKey(error)) throw error;
    }
    const letters: DeadLetter[] = [];
    for (const intake of intakes) {
      try {
        const outcomes = await this.ledger.applyMovements([intake.movement]);
        observe(outcomes);
        letters.push(...refusalLetters([intake], outcomes));
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
}

/** Conflicting repeats and refusals cannot be applied however often they come back. */
function refusalLetters(intakes: Intake[], outcomes: LedgerOutcome[]): DeadLetter[] {
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
