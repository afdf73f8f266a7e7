import { Logger } from '@nestjs/common';

export interface PollingLoopOptions {
  /** Pause after a cycle that found nothing to do. */
  intervalMs: number;
  /** Upper bound of the exponential back-off after failures. */
  maxBackoffMs?: number;
}

/**
 * Runs `cycle` over and over: again at once while it finds work (returns > 0), after `intervalMs`
 * when idle, with exponential back-off while it throws. `wake()` cuts a pause short (called after
 * a local commit, so new work goes out without waiting for the next poll). The background worker
 * of the outbox relays and the expiry jobs.
 */
export class PollingLoop {
  private readonly logger: Logger;
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private consecutiveFailures = 0;
  private drainUntil?: number;

  constructor(
    name: string,
    private readonly cycle: () => Promise<number>,
    private readonly options: PollingLoopOptions,
  ) {
    this.logger = new Logger(name);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  wake(): void {
    this.wakeUp?.();
  }

  /**
   * Stops after the first cycle that finds nothing left to do (or fails, or passes the deadline),
   * so that work already committed goes out before a graceful shutdown rather than at the next
   * start. Does nothing if the loop is not running.
   */
  async drainAndStop(timeoutMs: number): Promise<void> {
    if (!this.running) return this.loop;
    this.drainUntil = Date.now() + timeoutMs;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let done = 0;
      try {
        done = await this.cycle();
        this.consecutiveFailures = 0;
      } catch (error) {
        this.consecutiveFailures++;
        this.logger.warn(`cycle failed (attempt ${this.consecutiveFailures}): ${String(error)}`);
      }
      if (this.drainUntil !== undefined && (done === 0 || Date.now() > this.drainUntil)) {
        this.running = false;
      }
      if (done === 0 && this.running) await this.pause();
    }
  }

  private pause(): Promise<void> {
    const { intervalMs, maxBackoffMs = 5000 } = this.options;
    const ms =
      this.consecutiveFailures === 0
        ? intervalMs
        : Math.min(maxBackoffMs, intervalMs * 2 ** this.consecutiveFailures);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).finally(() => (this.wakeUp = undefined));
  }
}

/** Rejects after `ms`: a publish racing it must not hold a transaction (and its locks) longer. */
export function deadline(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => {
    setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms).unref();
  });
}
