/** The two clocks a watch compares (the system's, or a test's). */
export interface ClockPair {
  wall(): number;
  monotonic(): number;
}

const SYSTEM_CLOCKS: ClockPair = { wall: () => Date.now(), monotonic: () => performance.now() };

/**
 * Notices the wall clock stepping back (an NTP step, a VM restored from a snapshot): Date.now()
 * against the monotonic clock, which never steps, between two looks a second apart, so that a
 * slewing clock (at most half a millisecond a second) never adds up to a step. Code that waits for
 * Date.now() to pass a mark stops until the wall clock catches up again: kafkajs sends a consumer's
 * heartbeat only once Date.now() passes the last one plus the interval.
 */
export class WallClockWatch {
  private last: { wall: number; monotonic: number };
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly onStepBack: (ms: number) => void,
    private readonly thresholdMs = 1_000,
    private readonly clocks: ClockPair = SYSTEM_CLOCKS,
  ) {
    this.last = this.read();
  }

  start(intervalMs = 1_000): void {
    this.last = this.read();
    this.timer ??= setInterval(() => this.check(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look: a step back of the threshold or more since the last is reported, with its size. */
  check(): void {
    const now = this.read();
    const drift = now.wall - this.last.wall - (now.monotonic - this.last.monotonic);
    this.last = now;
    if (drift <= -this.thresholdMs) this.onStepBack(-drift);
  }

  private read() {
    return { wall: this.clocks.wall(), monotonic: this.clocks.monotonic() };
  }
}
