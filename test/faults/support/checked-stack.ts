import type { Client } from 'pg';
import type { Reconciliation } from './fault-stack';

/**
 * What the exactness checks read behind a running stack: both apps' databases, the credit-store's
 * reconciliation, and how far the outbox and the charge topic have been carried. The fault suite's
 * stack (one loopback) and the partition suite's (network namespaces) both provide it, so both are
 * judged by the one checker.
 */
export interface CheckedStack {
  readonly storeUrl: string;
  readonly storeDb: Client;
  readonly gatewayDb: Client;
  reconciliation(): Promise<Reconciliation>;
  waitOutboxDrained(timeoutMs?: number): Promise<void>;
  waitConsumed(timeoutMs?: number): Promise<void>;
  topicSize(topic: string): Promise<number>;
}
