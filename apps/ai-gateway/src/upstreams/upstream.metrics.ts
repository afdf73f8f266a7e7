import { Injectable } from '@nestjs/common';
import { Histogram, Registry } from 'prom-client';

/** What the upstream answered with: its status class, or no answer at all. */
export type UpstreamOutcome = '2xx' | '4xx' | '5xx' | 'timeout' | 'unreachable';

/** How one try at a deployment went (`retried` ones are 429, 5xx, timeout and unreachable). */
export type AttemptOutcome = 'served' | 'passed' | '429' | '5xx' | 'timeout' | 'unreachable';

/**
 * How long upstreams take to start answering (headers received; a stream's body may run on), by
 * surface (`chat`, `responses`, `embeddings`, `messages`, `models`), provider and outcome.
 */
@Injectable()
export class UpstreamMetrics {
  private readonly latency: Histogram<'surface' | 'provider' | 'outcome'>;
  private readonly attempts: Histogram<'deployment' | 'outcome'>;

  constructor(registry: Registry) {
    this.latency = new Histogram({
      name: 'tally_upstream_response_seconds',
      help: 'Time until the upstream began its answer, by surface, provider and outcome',
      labelNames: ['surface', 'provider', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
      registers: [registry],
    });
    this.attempts = new Histogram({
      name: 'tally_upstream_attempt_seconds',
      help: 'Tries at each deployment (time until its answer began, or it failed), by deployment and outcome',
      labelNames: ['deployment', 'outcome'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
      registers: [registry],
    });
  }

  /** One try at a deployment: `served` (2xx), `passed` (another 4xx, the client's), or a failure. */
  attempted(deployment: string, outcome: AttemptOutcome, seconds: number): void {
    this.attempts.observe({ deployment, outcome }, seconds);
  }

  /** `path` is the upstream's (`/chat/completions`): its first segment names the surface. */
  observe(path: string, provider: string, outcome: UpstreamOutcome, seconds: number): void {
    const surface = path.split('/')[1] ?? 'unknown';
    this.latency.observe({ surface, provider, outcome }, seconds);
  }
}

export function outcomeOf(status: number): UpstreamOutcome {
  if (status >= 500) return '5xx';
  return status >= 400 ? '4xx' : '2xx';
}
