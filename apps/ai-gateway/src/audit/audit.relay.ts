import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { AUDIT_RECORD_SCHEMA_VERSION, MAX_MESSAGE_BYTES, Topics } from '@tally/contracts';
import {
  AuditRecord,
  KAFKA,
  LazyProducer,
  messageBytes,
  PollingLoop,
  sendEach,
} from '@tally/platform';
import type { Kafka, Message } from 'kafkajs';
import { DataSource } from 'typeorm';
import { AuditOutboxRepository } from './audit-outbox.repository';

const BATCH = 200;
const INTERVAL_MS = 500;

/**
 * Publishes the gateway's audit records (written in the transaction of each change, so the table
 * is their outbox) to `audit.records`, keyed by record id; the credit-store keeps each once by
 * id in the one trail of both apps. At least once: a record is marked relayed only after Kafka
 * took it, in the transaction that locked it (so one replica relays each).
 */
@Injectable()
export class AuditRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditRelay.name);
  private readonly producer: LazyProducer;
  private readonly loop = new PollingLoop(AuditRelay.name, () => this.relay(), {
    intervalMs: INTERVAL_MS,
    maxBackoffMs: 10_000,
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: AuditOutboxRepository,
    @Inject(KAFKA) kafka: Kafka,
  ) {
    this.producer = new LazyProducer(kafka);
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.drainAndStop(5000);
    await this.producer.disconnect();
  }

  async relay(): Promise<number> {
    let failure: Error | undefined;
    const relayed = await this.dataSource.transaction(async (db) => {
      const records = await this.outbox.claim(db, BATCH);
      if (records.length === 0) return 0;
      const send = (messages: Message[]) =>
        this.producer.send({ topic: Topics.auditRecords, messages }).then(() => undefined);
      const result = await sendEach(records.map(auditMessage), { bytesOf: messageBytes, send });
      // A record the broker will not take whole still goes, without its before/after.
      if (result.refused.length > 0) {
        await send(result.refused.map(({ item }) => withoutStates(item)));
        this.logger.warn(`${result.refused.length} audit records sent without before/after`);
      }
      const sent = [...result.sent, ...result.refused.map(({ item }) => item)];
      if (sent.length > 0) {
        await this.outbox.markRelayed(
          db,
          sent.map((m) => String(m.key)),
        );
      }
      failure = result.failed?.error;
      return sent.length;
    });
    // What went out is marked first; the rest waits for the next cycle.
    if (failure) throw failure;
    return relayed;
  }
}

function auditMessage(record: AuditRecord): Message {
  return {
    key: record.id,
    value: JSON.stringify({ schema_version: AUDIT_RECORD_SCHEMA_VERSION, ...record }),
  };
}

function withoutStates(message: Message): Message {
  const record = JSON.parse(String(message.value)) as AuditRecord;
  const omitted = { omitted: `over ${MAX_MESSAGE_BYTES} bytes`, bytes: messageBytes(message) };
  return auditMessage({ ...record, before: omitted, after: omitted });
}
