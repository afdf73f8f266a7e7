import type { Upstream } from './upstream-routes';

/** The window failures are counted in, and latencies shown over. */
export const HEALTH_WINDOW_MS = 60_000;

export interface HealthSettings {
  /** Failures within the window that put a deployment in cooldown. */
  cooldownFailures: number;
  cooldownMs: number;
}

interface Sample {
  at: number;
  ms: number;
  failed: boolean;
}

/** What one replica knows of one deployment. */
class DeploymentState {
  failures: number[] = [];
  coolingUntil = 0;
  /** After a cooldown, the one call trying it again is on its way. */
  probing = false;
  samples: Sample[] = [];
  inFlight = 0;
  minute = 0;
  requests = 0;
  tokens = 0;
}

/** One deployment as `GET /admin/upstreams` shows it. */
export interface DeploymentView {
  id: string;
  provider: string;
  api: string;
  models: string[];
  priority: number;
  weight: number;
  state: 'ok' | 'cooling' | 'probing';
  cooling_until: string | null;
  last_minute: { calls: number; failures: number; p50_ms: number | null; p99_ms: number | null };
  in_flight: number;
}

/**
 * The health of each deployment as this replica sees it: failures in the last minute, the
 * cooldown they cause (`cooldownFailures` of them: skipped for `cooldownMs`, then tried again by
 * one call whose outcome ends or renews it), its provider's per-minute limits, and what is in
 * flight.
 */
export class DeploymentHealth {
  private readonly states = new Map<string, DeploymentState>();

  constructor(
    private readonly settings: HealthSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes a try at the deployment for a call of `tokens`, unless it is cooling, being tried again
   * by another call after its cooldown, or at its rpm/tpm this minute (`force`: taken anyway, when
   * nothing else is left to try). Counts it in flight until `release`.
   */
  claim(d: Upstream, tokens: number, force = false): boolean {
    const s = this.state(d.id);
    const now = this.now();
    const minute = Math.floor(now / 60_000);
    if (s.minute !== minute) Object.assign(s, { minute, requests: 0, tokens: 0 });
    if (!force) {
      if (now < s.coolingUntil || s.probing) return false;
      if (d.rpm !== undefined && s.requests >= d.rpm) return false;
      if (d.tpm !== undefined && s.tokens + tokens > d.tpm) return false;
    }
    if (s.coolingUntil > 0 && now >= s.coolingUntil) s.probing = true;
    s.requests++;
    s.tokens += tokens;
    s.inFlight++;
    return true;
  }

  release(d: Upstream): void {
    const s = this.state(d.id);
    s.inFlight = Math.max(0, s.inFlight - 1);
  }

  /** The try's outcome: a failure (no answer, 429, 5xx) counts toward the cooldown. */
  record(d: Upstream, failed: boolean, ms: number): void {
    const s = this.state(d.id);
    const now = this.now();
    s.samples.push({ at: now, ms, failed });
    this.forgetOld(s, now);
    if (!failed) {
      if (s.probing || s.coolingUntil > 0) Object.assign(s, { coolingUntil: 0, failures: [] });
      s.probing = false;
      return;
    }
    s.failures.push(now);
    const wasProbe = s.probing;
    s.probing = false;
    if (wasProbe || s.failures.length >= this.settings.cooldownFailures) {
      s.coolingUntil = now + this.settings.cooldownMs;
      s.failures = [];
    }
  }

  view(deployments: readonly Upstream[]): DeploymentView[] {
    const now = this.now();
    return deployments.map((d) => {
      const s = this.state(d.id);
      this.forgetOld(s, now);
      const cooling = now < s.coolingUntil;
      const times = s.samples.map((x) => x.ms).sort((a, b) => a - b);
      return {
        id: d.id,
        provider: d.provider,
        api: d.api,
        models: d.models,
        priority: d.priority,
        weight: d.weight,
        state: cooling ? 'cooling' : s.probing ? 'probing' : 'ok',
        cooling_until: cooling ? new Date(s.coolingUntil).toISOString() : null,
        last_minute: {
          calls: s.samples.length,
          failures: s.samples.filter((x) => x.failed).length,
          p50_ms: quantile(times, 0.5),
          p99_ms: quantile(times, 0.99),
        },
        in_flight: s.inFlight,
      };
    });
  }

  private state(id: string): DeploymentState {
    let s = this.states.get(id);
    if (!s) this.states.set(id, (s = new DeploymentState()));
    return s;
  }

  private forgetOld(s: DeploymentState, now: number): void {
    const since = now - HEALTH_WINDOW_MS;
    s.failures = s.failures.filter((at) => at > since);
    const first = s.samples.findIndex((x) => x.at > since);
    s.samples = first < 0 ? [] : s.samples.slice(first);
  }
}

function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
}
