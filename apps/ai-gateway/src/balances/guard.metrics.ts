import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';

/**
 * Calls the balance guard refused before the upstream was asked: by reason
 * (`insufficient_credits`, `key_budget_exceeded`, `rate_limited`), at the start or mid-stream.
 */
@Injectable()
export class GuardMetrics {
  private readonly refusals: Counter<'reason'>;

  constructor(registry: Registry) {
    this.refusals = new Counter({
      name: 'tally_guard_refusals_total',
      help: 'Reservations the balance guard refused, by reason (the error code)',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  refused(reason: string): void {
    this.refusals.inc({ reason });
  }
}
