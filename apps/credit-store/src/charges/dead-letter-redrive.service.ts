import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { DEAD_LETTER_TOPIC_OF, DlqHeaders, ErrorCode, Topics } from '@tally/contracts';
import { DomainError, KAFKA, LazyProducer } from '@tally/platform';
import type { Kafka, Message } from 'kafkajs';
import { DataSource } from 'typeorm';
import {
  DeadLetterRepository,
  DeadLetterStatus,
  REDRIVE_OF_HEADER,
  StoredMessage,
} from './dead-letter.repository';

/**
 * `sent`: published again to its topic (charges, or audit records) (the consumer applies it or dead-letters it again);
 * `already_applied`: its event_id is in the ledger since an earlier redrive, nothing sent;
 * `no_message`: the letter kept no value to send.
 */
export interface RedriveResult {
  id: string;
  outcome: 'sent' | 'already_applied' | 'no_message';
  status_before: DeadLetterStatus;
}

/** The dead-letter headers a redrive leaves out: the message goes out as it first came. */
const DLQ_HEADER_NAMES: ReadonlySet<string> = new Set(Object.values(DlqHeaders));

/**
 * Sends dead letters back to the charge topic once their cause is fixed. Safe to repeat: the
 * ledger applies a charge or refund once per event_id, so a letter redriven twice is applied once,
 * and one already applied is not even sent. A message still invalid is dead-lettered again by the
 * consumer with its reason (and this letter's id in its tally-redrive-of header), writing nothing.
 */
@Injectable()
export class DeadLetterRedriveService implements OnApplicationShutdown {
  private readonly producer: LazyProducer;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    private readonly dataSource: DataSource,
    private readonly letters: DeadLetterRepository,
  ) {
    this.producer = new LazyProducer(kafka);
  }

  /**
   * One transaction: the marks, the send, then COMMIT with the redrive's audit record. A send that
   * fails leaves nothing marked (and a record saying so); a commit that fails after the send
   * leaves a message sent twice at most, which the consumer drops by its id.
   */
  async redrive(ids: string[]): Promise<RedriveResult[]> {
    return this.dataSource.transaction(async (db) => {
      const found = await this.letters.messages(db, ids);
      const missing = ids.filter((id) => !found.some((m) => m.id === id));
      if (missing.length > 0) {
        throw new DomainError(
          ErrorCode.NotFound,
          `dead letter ${missing.join(', ')} does not exist`,
        );
      }
      const toSend = found.filter((m) => m.status !== 'applied' && m.value !== null);
      // Marked first: a letter dead-lettered again by the time this returns is then seen as the
      // redrive's outcome (its failed_at is after redriven_at, the transaction's start).
      await this.letters.markRedriven(
        db,
        toSend.map((m) => m.id),
      );
      for (const topic of new Set(toSend.map((m) => m.source_topic))) {
        const messages = toSend.filter((m) => m.source_topic === topic).map(original);
        await this.producer.send({ topic: redriveTopic(topic), messages });
      }
      return found.map((m) => ({
        id: m.id,
        status_before: m.status,
        outcome:
          m.status === 'applied' ? 'already_applied' : m.value === null ? 'no_message' : 'sent',
      }));
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** Back to where it came from: one of the topics the credit-store consumes. */
function redriveTopic(sourceTopic: string): string {
  return sourceTopic in DEAD_LETTER_TOPIC_OF ? sourceTopic : Topics.chargeRequested;
}

function original(letter: StoredMessage): Message {
  const headers = Object.fromEntries(
    Object.entries(letter.headers ?? {}).filter(([name]) => !DLQ_HEADER_NAMES.has(name)),
  );
  return {
    key: letter.key,
    value: letter.value,
    headers: { ...headers, [REDRIVE_OF_HEADER]: letter.id },
  };
}
