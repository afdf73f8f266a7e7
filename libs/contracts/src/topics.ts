/**
 * Kafka topics that cross between the apps. Keys are the user_id (per-user order), but on
 * `audit.records`, where each record is keyed by its own id (records need no order: the trail
 * sorts them by time).
 */
export const Topics = {
  chargeRequested: 'credit.charge.requested',
  chargeRequestedDlq: 'credit.charge.requested.dlq',
  balanceUpdated: 'credit.balance.updated',
  accountEvents: 'credit.account.events',
  auditRecords: 'audit.records',
  auditRecordsDlq: 'audit.records.dlq',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export interface TopicSpec {
  topic: TopicName;
  numPartitions: number;
  /** Broker settings of the topic when it is created. */
  configEntries?: { name: string; value: string }[];
}

/**
 * Partition counts: 6 lets up to six consumers of one group share the charge stream.
 * Changing a count later reshuffles keys across partitions (and so per-user order), so it is fixed here.
 */
export const TOPIC_SPECS: readonly TopicSpec[] = [
  { topic: Topics.chargeRequested, numPartitions: 6 },
  { topic: Topics.chargeRequestedDlq, numPartitions: 6 },
  // Snapshots replace each other: compaction keeps the newest per user, so a new reader (the
  // gateway's balance view) catches up from the start without reading every change ever made.
  { topic: Topics.auditRecords, numPartitions: 3 },
  { topic: Topics.auditRecordsDlq, numPartitions: 3 },
  {
    topic: Topics.balanceUpdated,
    numPartitions: 6,
    configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
  },
  { topic: Topics.accountEvents, numPartitions: 6 },
];

/** How many copies of each partition a cluster keeps, and how many an acks=all write must reach. */
export interface Replication {
  replicationFactor: number;
  minInsyncReplicas: number;
}

/**
 * The replication topics are created with on a cluster of `brokers`: three copies, two of them in
 * sync for a write to count (so one broker can die without losing an acknowledged message or
 * stopping writes); on fewer brokers, what they can hold (one broker: one copy, nothing to wait for).
 */
export function replicationFor(brokers: number): Replication {
  const replicationFactor = Math.max(1, Math.min(3, brokers));
  return { replicationFactor, minInsyncReplicas: Math.max(1, replicationFactor - 1) };
}

/**
 * The most one message (key, value and headers) may weigh. The broker refuses a record batch above
 * its message.max.bytes (1,048,588 bytes by default, and here); this leaves room for the batch's
 * and the record's framing. Producers refuse, or set aside, anything bigger before it is queued.
 */
export const MAX_MESSAGE_BYTES = 1_000_000;

/** Headers the credit-store puts on a dead-lettered message, beside the original key and value. */
export const DlqHeaders = {
  reason: 'dlq-reason',
  code: 'dlq-code',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  failedAt: 'dlq-failed-at',
  /** Set when the letter was cut to fit the broker: the original value's size in bytes. */
  truncated: 'dlq-truncated',
} as const;

/** Where the credit-store dead-letters a message of each topic it consumes. */
export const DEAD_LETTER_TOPIC_OF: Readonly<Record<string, TopicName>> = {
  [Topics.chargeRequested]: Topics.chargeRequestedDlq,
  [Topics.auditRecords]: Topics.auditRecordsDlq,
};
