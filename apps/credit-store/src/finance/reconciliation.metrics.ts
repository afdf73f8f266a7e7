import { Injectable } from '@nestjs/common';
import { Gauge, Registry } from 'prom-client';
import type { Reconciliation } from './reconciliation.service';

/**
 * The last whole reconciliation this replica ran (scheduled or asked for): whether every invariant
 * held, how many rows broke one, and when it ran (a stale time means it stopped running).
 */
@Injectable()
export class ReconciliationMetrics {
  private readonly ok: Gauge;
  private readonly mismatches: Gauge;
  private readonly lastRun: Gauge;

  constructor(registry: Registry) {
    this.ok = new Gauge({
      name: 'tally_reconciliation_ok',
      help: '1 if the last whole reconciliation found no mismatch, 0 if it found some',
      registers: [registry],
    });
    this.mismatches = new Gauge({
      name: 'tally_reconciliation_mismatches',
      help: 'Mismatches the last whole reconciliation found',
      registers: [registry],
    });
    this.lastRun = new Gauge({
      name: 'tally_reconciliation_last_run_timestamp_seconds',
      help: 'When the last whole reconciliation finished (Unix time)',
      registers: [registry],
    });
  }

  record(result: Reconciliation): void {
    this.ok.set(result.ok ? 1 : 0);
    this.mismatches.set(result.mismatches.length);
    this.lastRun.set(Date.now() / 1000);
  }
}
