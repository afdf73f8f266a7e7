import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import type { LedgerOutcome } from '../ledger/ledger.service';
import type { DeadLetter } from './dead-letter.publisher';

/** What the ledger consumer does with the batches it is given. */
@Injectable()
export class ChargeIntakeMetrics {
  private readonly outcomes: Counter<'outcome'>;
  private readonly deadLetters: Counter<'code'>;
  private readonly batchSize: Histogram;
  private readonly applySeconds: Histogram;
  private readonly waitingRefunds: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.outcomes = new Counter({
      name: 'tally_ledger_events_total',
      help: 'Charge events taken in by the consumer, by outcome (applied, duplicate, conflict, refused, unpriced)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.deadLetters = new Counter({
      name: 'tally_dlq_messages_total',
      help: 'Messages sent to the dead-letter topic, by reason code',
      labelNames: ['code'],
      registers: [registry],
    });
    this.batchSize = new Histogram({
      name: 'tally_consumer_batch_size',
      help: 'Messages per consumed batch (one ledger transaction each)',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers: [registry],
    });
    this.applySeconds = new Histogram({
      name: 'tally_consumer_apply_seconds',
      help: 'Time to apply one batch to the ledger and dead-letter its refusals',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.waitingRefunds = new Counter({
      name: 'tally_refunds_waiting_total',
      help: 'Refunds that reached the ledger before their charge: parked, then applied or dead-lettered',
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  refundsWaiting(outcome: 'parked' | 'applied' | 'dead_lettered', count: number): void {
    if (count > 0) this.waitingRefunds.inc({ outcome }, count);
  }

  /** Call at the start of a batch; call the answer when it has been processed. */
  batchStarted(size: number): () => void {
    this.batchSize.observe(size);
    return this.applySeconds.startTimer();
  }

  ledgerOutcomes(outcomes: LedgerOutcome[]): void {
    // Counted first, one increment per kind: a labelled increment per event cost more than the rest.
    const counts = new Map<LedgerOutcome['kind'], number>();
    for (const { kind } of outcomes) counts.set(kind, (counts.get(kind) ?? 0) + 1);
    for (const [outcome, count] of counts) this.outcomes.inc({ outcome }, count);
  }

  deadLettered(letters: DeadLetter[]): void {
    for (const letter of letters) this.deadLetters.inc({ code: letter.code });
  }
}
