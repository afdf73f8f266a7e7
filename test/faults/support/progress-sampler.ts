import { sleep } from '../../../bench/support/bench-stack';

/** How far a stage has got: what it has done (only grows) and what is waiting for it. */
export interface Progress {
  done: number;
  pending: number;
}

/**
 * Samples a stage's progress (rows published, charges applied) every `intervalMs`, so that a
 * scenario can say how long the stage stood still around a fault while work was waiting for it.
 */
export class ProgressSampler {
  private readonly samples: (Progress & { at: number })[] = [];
  private running = false;
  private loop?: Promise<void>;

  constructor(
    private readonly progress: () => Promise<Progress>,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        const now = await this.progress().catch(() => undefined);
        if (now) this.samples.push({ ...now, at: Date.now() });
        await sleep(this.intervalMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** What the stage had done at the last sample. */
  get latest(): number {
    return this.samples.at(-1)?.done ?? 0;
  }

  /** Until the stage has done more than `done` (e.g. what it had done when a fault came). */
  async waitPast(done: number, timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.latest <= done) {
      if (Date.now() > deadline) throw new Error(`no progress past ${done} in ${timeoutMs} ms`);
      await sleep(this.intervalMs);
    }
    return Date.now();
  }

  /**
   * The longest stall that overlaps [from, to], in milliseconds: a stretch in which work was
   * waiting and the stage did none of it, from its last step before until its next one. A stage
   * with nothing to do (the workload over) is idle, not stalled.
   */
  longestStall(from: number, to: number): number {
    let longest = 0;
    let stalledSince: number | undefined;
    for (let i = 1; i < this.samples.length; i++) {
      const previous = this.samples[i - 1];
      const sample = this.samples[i];
      const stuck = sample.done === previous.done && previous.pending > 0;
      if (stuck) stalledSince ??= previous.at;
      const end = stuck && i < this.samples.length - 1 ? undefined : sample.at;
      if (stalledSince !== undefined && end !== undefined) {
        if (end >= from && stalledSince <= to) longest = Math.max(longest, end - stalledSince);
        stalledSince = undefined;
      }
    }
    return longest;
  }
}
