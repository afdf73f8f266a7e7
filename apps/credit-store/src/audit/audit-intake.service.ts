import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, parseAuditRecord } from '@tally/contracts';
import { AuditRecord, InboundBatch, InboundMessage, sqlStateOf } from '@tally/platform';
import { DataSource } from 'typeorm';
import { DeadLetter, DeadLetterPublisher } from '../charges/dead-letter.publisher';
import { AuditRepository } from './audit.repository';

interface Intake {
  message: InboundMessage;
  record: AuditRecord;
}

/** Errors the same record would raise however often it is tried (bad data, a broken constraint). */
function isPermanentDataError(error: unknown): boolean {
  const code = sqlStateOf(error) ?? '';
  return code.startsWith('22') || code.startsWith('23');
}

/**
 * Keeps the gateway's audit records, each once by its id (a record delivered again is dropped),
 * a batch in one transaction. A message that is no valid record, or one the database refuses, is
 * dead-lettered (audit.records.dlq, and GET /admin/dead-letters) instead of stalling the records
 * behind it. Resolves only when every message is kept, a repeat, or dead-lettered, so that the
 * batch's offsets can be committed.
 */
@Injectable()
export class AuditIntakeService {
  private readonly logger = new Logger(AuditIntakeService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly records: AuditRepository,
    private readonly deadLetters: DeadLetterPublisher,
  ) {}

  async process(batch: InboundBatch): Promise<void> {
    const letters: DeadLetter[] = [];
    const intakes: Intake[] = [];
    for (const message of batch.messages) {
      const parsed = parseAuditRecord(message.value);
      if (!parsed.ok) letters.push({ message, code: parsed.code, reasons: parsed.reasons });
      else intakes.push({ message, record: parsed.event });
    }
    letters.push(...(await this.keep(intakes)));
    await batch.heartbeat();
    await this.deadLetters.publish(letters);
    if (letters.length > 0) {
      this.logger.warn(`dead-lettered ${letters.length} of ${batch.messages.length} audit records`);
    }
  }

  /** All in one transaction; if the database refuses that for its data, one by one. */
  private async keep(intakes: Intake[]): Promise<DeadLetter[]> {
    if (intakes.length === 0) return [];
    try {
      await this.insert(intakes);
      return [];
    } catch (error) {
      if (!isPermanentDataError(error)) throw error;
    }
    const letters: DeadLetter[] = [];
    for (const intake of intakes) {
      try {
        await this.insert([intake]);
      } catch (error) {
        if (!isPermanentDataError(error)) throw error;
        letters.push({
          message: intake.message,
          code: ErrorCode.ValidationFailed,
          reasons: [`the audit trail refused it: ${(error as Error).message}`],
        });
      }
    }
    return letters;
  }

  private insert(intakes: Intake[]): Promise<void> {
    return this.dataSource.transaction((db) =>
      this.records.insert(
        db,
        intakes.map((i) => i.record),
      ),
    );
  }
}
