import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import {
  DEAD_LETTER_TOPIC_OF,
  DlqHeaders,
  ErrorCode,
  MAX_MESSAGE_BYTES,
  Topics,
} from '@tally/contracts';
import {
  InboundMessage,
  KAFKA,
  LazyProducer,
  messageBytes,
  sendEach,
  withTransactionRetry,
} from '@tally/platform';
import type { IHeaders, Kafka, Message } from 'kafkajs';
import { DataSource, EntityManager } from 'typeorm';
import { LedgerService } from '../ledger/ledger.service';
import { chargeNamedBy, deadLetteredFact } from './dead-lettered-fact';
import { DeadLetterRepository, originOf } from './dead-letter.repository';

export interface DeadLetter {
  message: InboundMessage;
  code: ErrorCode;
  reasons: string[];
}

/** How much of a value too large to dead-letter whole is kept (the original stays at its offset). */
const TRUNCATED_VALUE_BYTES = 64 * 1024;

/**
 * Sends messages the credit-store cannot take to their topic's dead-letter topic
 * (`credit.charge.requested.dlq`, `audit.records.dlq`): the original key and
 * bytes (so they can be fixed and replayed) plus headers saying why and where they came from.
 * However many letters a batch has, they go out in requests the broker takes; a letter too large
 * for it goes out truncated (marked so), since a letter that cannot be sent would hold its
 * partition's offset, and every charge behind it, for ever. Each letter is kept first (once per
 * origin, for GET /admin/dead-letters): a batch delivered again after a crash publishes its
 * letters again, but finds them kept already. A charge's letter kept for the first time also makes
 * its user's `charge.dead_lettered` account event, in the same transaction.
 */
@Injectable()
export class DeadLetterPublisher implements OnApplicationShutdown {
  private readonly producer: LazyProducer;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    private readonly kept: DeadLetterRepository,
    private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
  ) {
    this.producer = new LazyProducer(kafka);
  }

  /** Keeps the letters (in `db`, the caller's transaction if it has one), then publishes them. */
  async publish(letters: DeadLetter[], db?: EntityManager): Promise<void> {
    if (letters.length === 0) return;
    const told = db
      ? await this.keep(db, letters)
      : await withTransactionRetry(() =>
          this.dataSource.transaction('READ COMMITTED', (tx) => this.keep(tx, letters)),
        );
    if (told > 0) this.ledger.wakeEventRelay();
    const failedAt = new Date().toISOString();
    const byTopic = new Map<string, DeadLetter[]>();
    for (const letter of letters) {
      const topic = DEAD_LETTER_TOPIC_OF[letter.message.topic] ?? Topics.chargeRequestedDlq;
      byTopic.set(topic, [...(byTopic.get(topic) ?? []), letter]);
    }
    for (const [topic, list] of byTopic) {
      const send = async (messages: Message[]) => {
        await this.producer.send({ topic, messages });
      };
      const result = await sendEach(
        list.map((letter) => fitted(letter, failedAt)),
        { bytesOf: messageBytes, send },
      );
      if (result.failed) throw result.failed.error;
      // Refused although within our limit (a broker set lower): the reason and origin alone.
      if (result.refused.length > 0) await send(result.refused.map(({ item }) => bare(item)));
    }
  }

  /**
   * Keeps the letters and tells each named user of their charge's letters kept now: under the
   * users' account locks, taken before the letters are inserted (accounts first, as everywhere).
   */
  private keep(db: EntityManager, letters: DeadLetter[]): Promise<number> {
    const charges = letters.map(chargeNamedBy);
    const userIds = charges.flatMap((charge) => (charge ? [charge.user_id] : []));
    return this.ledger.writeAccountFacts(db, userIds, async () => {
      const kept = await this.kept.keep(db, letters);
      return letters.flatMap((letter, index) => {
        const charge = charges[index];
        const id = kept.get(originOf(letter));
        return charge && id ? [deadLetteredFact(charge, letter, id)] : [];
      });
    });
  }

  onApplicationShutdown(): Promise<void> {
    return this.producer.disconnect();
  }
}

function dlqHeaders({ message, code, reasons }: DeadLetter, failedAt: string): IHeaders {
  return {
    [DlqHeaders.code]: code,
    [DlqHeaders.reason]: reasons.join('; ').slice(0, 4000),
    [DlqHeaders.sourceTopic]: message.topic,
    [DlqHeaders.sourcePartition]: String(message.partition),
    [DlqHeaders.sourceOffset]: message.offset,
    [DlqHeaders.failedAt]: failedAt,
  };
}

/** The letter, or if it is too large for the broker, the letter with its value cut short. */
function fitted(letter: DeadLetter, failedAt: string): Message {
  const { message } = letter;
  const whole: Message = {
    key: message.key,
    value: message.value,
    headers: { ...message.headers, ...dlqHeaders(letter, failedAt) },
  };
  if (messageBytes(whole) <= MAX_MESSAGE_BYTES) return whole;
  const value = message.value ?? Buffer.alloc(0);
  const truncated: Message = {
    ...whole,
    value: value.subarray(0, TRUNCATED_VALUE_BYTES),
    headers: { ...whole.headers, [DlqHeaders.truncated]: String(value.length) },
  };
  return messageBytes(truncated) <= MAX_MESSAGE_BYTES ? truncated : bare(truncated);
}

/** Only the key and the dead-letter headers: why, and where the original is. */
function bare(letter: Message): Message {
  const headers = letter.headers ?? {};
  const kept = Object.values(DlqHeaders).filter((name) => headers[name] !== undefined);
  return {
    key: letter.key,
    value: null,
    headers: {
      ...Object.fromEntries(kept.map((name) => [name, headers[name]])),
      [DlqHeaders.truncated]: headers[DlqHeaders.truncated] ?? String(letter.value?.length ?? 0),
    },
  };
}
