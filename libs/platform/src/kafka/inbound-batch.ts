import type { IHeaders } from 'kafkajs';

export interface InboundMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** What a `@EventPattern(topic)` handler receives from KafkaBatchTransport: one partition's batch. */
export interface InboundBatch {
  topic: string;
  partition: number;
  messages: InboundMessage[];
  /** Long handlers call this so the group does not think the consumer died. */
  heartbeat(): Promise<void>;
}
