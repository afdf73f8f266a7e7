import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PollingLoop } from '@tally/platform';
import { DataSource } from 'typeorm';
import { ApiKeyRepository } from './api-key.repository';
import { KeyClock } from './key-clock';

const BATCH = 1000;
const INTERVAL_MS = 60_000;
/** A minute's counters are kept a little past it (a late correction of its tokens). */
const KEEP_MS = 5 * 60_000;

/** Deletes the rate counters of minutes that are over. */
@Injectable()
export class KeyMinuteSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly loop = new PollingLoop(KeyMinuteSweeper.name, () => this.sweep(), {
    intervalMs: INTERVAL_MS,
    maxBackoffMs: INTERVAL_MS,
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ApiKeyRepository,
    private readonly clock: KeyClock,
  ) {}

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** One batch; the loop comes back at once while there is more. */
  sweep(): Promise<number> {
    const before = new Date(this.clock.now().getTime() - KEEP_MS);
    return this.keys.purgeMinutes(this.dataSource.manager, before, BATCH);
  }
}
