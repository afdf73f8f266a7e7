import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { OutboxBacklog, OutboxRepository } from './outbox.repository';

/**
 * The outbox seen from outside: how much waits (read from the table at scrape time, so it is right
 * whichever replica relays) and what this replica's relay publishes.
 */
@Injectable()
export class OutboxMetrics {
  private readonly logger = new Logger(OutboxMetrics.name);
  private readonly published: Counter;
  private readonly publishErrors: Counter;

  constructor(registry: Registry, dataSource: DataSource, outbox: OutboxRepository) {
    // Both gauges are collected at once on a scrape: they share one read of the table.
    let reading: Promise<OutboxBacklog | undefined> | undefined;
    const backlog = () => {
      reading ??= outbox
        .backlog(dataSource.manager)
        .catch((error: unknown) => {
          // A scrape must still answer while the database is down; readiness reports that.
          this.logger.warn(`outbox backlog unavailable: ${String(error)}`);
          return undefined;
        })
        .finally(() => (reading = undefined));
      return reading;
    };
    new Gauge({
      name: 'tally_outbox_backlog_rows',
      help: 'Outbox rows not yet published to Kafka',
      registers: [registry],
      async collect() {
        const now = await backlog();
        if (now) this.set(now.rows);
      },
    });
    new Gauge({
      name: 'tally_outbox_oldest_unsent_age_seconds',
      help: 'Age of the oldest outbox row not yet published (0 when none waits)',
      registers: [registry],
      async collect() {
        const now = await backlog();
        if (now) this.set(now.oldestAgeSeconds);
      },
    });
    new Gauge({
      name: 'tally_outbox_parked_rows',
      help: 'Outbox rows set aside because the broker cannot take them (GET /admin/outbox/parked)',
      registers: [registry],
      async collect() {
        const now = await backlog();
        if (now) this.set(now.parked);
      },
    });
    this.published = new Counter({
      name: 'tally_outbox_published_total',
      help: 'Outbox rows this relay published and marked sent',
      registers: [registry],
    });
    this.publishErrors = new Counter({
      name: 'tally_outbox_publish_errors_total',
      help: 'Relay cycles whose Kafka publish failed (their rows stay for the next cycle)',
      registers: [registry],
    });
  }

  /** One relay cycle's result. */
  cycle(published: number, failure: Error | undefined): void {
    if (failure) this.publishErrors.inc();
    else if (published > 0) this.published.inc(published);
  }
}
