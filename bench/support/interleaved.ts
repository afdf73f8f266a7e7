import { summary, writeResult } from './bench-stack';

/**
 * Timings of several figures taken in turn, round after round (interleaved, so that all see the
 * same machine load), printed with ratios of their medians and written to `.cache/bench/`.
 */
export class InterleavedTimings {
  private readonly samples: Record<string, number[]> = {};

  async time(name: string, work: () => Promise<unknown>): Promise<void> {
    const start = performance.now();
    await work();
    (this.samples[name] ??= []).push(performance.now() - start);
  }

  /** `ratios` names each ratio by its [numerator, denominator] figures. */
  report(file: string, rounds: number, ratios: Record<string, [string, string]>): void {
    const rows = Object.entries(this.samples).map(([figure, values]) => {
      const s = summary(values);
      return { figure, median: s.median.toFixed(3), p90: s.p90.toFixed(3), p99: s.p99.toFixed(3) };
    });
    const median = (name: string) => summary(this.samples[name]).median;
    const values = Object.fromEntries(
      Object.entries(ratios).map(([ratio, [over, under]]) => [ratio, median(over) / median(under)]),
    );
    console.log(`${rounds} rounds, interleaved (ms):`);
    console.table(rows);
    console.table(
      Object.entries(values).map(([ratio, value]) => ({ ratio, value: value.toFixed(3) })),
    );
    console.log(`written to ${writeResult(file, { rounds, rows, ratios: values })}`);
  }
}
