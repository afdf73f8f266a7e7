import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PollingLoop } from '@tally/platform';
import { DataSource } from 'typeorm';
import { ReservationRepository } from './reservation.repository';

const BATCH = 1000;
const INTERVAL_MS = 60_000;

/**
 * Deletes the reservations of calls that never ended (a gateway crashed mid-call). They stop
 * counting when they lapse anyway; this only keeps the table small.
 */
@Injectable()
export class ReservationSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop = new PollingLoop(ReservationSweeper.name, () => this.sweep(), {
    intervalMs: INTERVAL_MS,
    maxBackoffMs: INTERVAL_MS,
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly reservations: ReservationRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One batch; the loop comes back at once while there is more. */
  sweep(): Promise<number> {
    return this.reservations.purgeLapsed(this.dataSource.manager, BATCH);
  }
}
