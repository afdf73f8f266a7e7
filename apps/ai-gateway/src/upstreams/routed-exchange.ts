import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { DeploymentHealth } from './deployment-health';
import { UpstreamAnswer } from './upstream-answer';
import { UpstreamExchange } from './upstream-exchange';
import type { UpstreamPools } from './upstream-pools';
import type { Upstream, UpstreamApi } from './upstream-routes';
import type { AttemptOutcome, UpstreamMetrics } from './upstream.metrics';

/** The call put in another API, sent to the deployments speaking it (see translation/). */
export interface OtherApiRequest {
  api: UpstreamApi;
  path: string;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** One place a call may be served: a deployment, and the model asked of it (a fallback's, maybe). */
export interface RouteCandidate {
  deployment: Upstream;
  model: string;
}

export interface RouteSettings {
  maxAttempts: number;
  /** Longest Retry-After honoured before the same deployment is tried again. */
  retryAfterMaxMs: number;
  /** Longest wait between two chunks of a stream. */
  idleTimeoutMs: number;
}

export interface RouteDeps {
  pools: UpstreamPools;
  health: DeploymentHealth;
  metrics?: UpstreamMetrics;
  settings: RouteSettings;
}

/**
 * One try: its answer (or its error, when none came). `waitMs`: null when the answer is the
 * call's; otherwise how long to wait before the same deployment is tried again (undefined: not
 * again, its Retry-After is too long).
 */
interface Attempt {
  candidate: RouteCandidate;
  answer?: UpstreamAnswer;
  error?: DomainError;
  waitMs?: number | null;
}

/** The wait before the same deployment is tried again when it did not say how long. */
const SAME_DEPLOYMENT_BACKOFF_MS = 100;

/**
 * One client call's exchange with the upstreams: `send` tries the candidates in order (again from
 * the first while attempts are left) until one begins an answer that is not a failure. A
 * connection error, a timeout before the answer begins, a 429 or a 5xx moves on; any other answer
 * is the call's. Once `send` has answered, the exchange is that deployment's: no more retries.
 */
export class RoutedExchange {
  /** Tries made (the served one included). */
  attempts = 0;
  /** The candidate whose answer `send` returned. */
  served?: RouteCandidate;
  private current?: UpstreamExchange;
  private claimed?: Upstream;

  constructor(
    readonly candidates: readonly RouteCandidate[],
    private readonly deps: RouteDeps,
    /** The call's token estimate, counted against deployments' tpm. */
    private readonly tokens: number,
    /** Told of the candidate that serves, before `send` answers. */
    private readonly onServed?: (candidate: RouteCandidate, attempts: number) => void,
  ) {}

  /** Some candidate speaks `api`. */
  reaches(api: UpstreamApi): boolean {
    return this.candidates.some((c) => c.deployment.api === api);
  }

  /** The deployment serving the call (the first candidate's until one answered). */
  get upstream(): Upstream {
    return (this.served ?? this.candidates[0]).deployment;
  }

  /**
   * POSTs the body (its `model` the candidate's) to each candidate in turn; to a candidate
   * speaking `other`'s API, `other` instead (the call translated). Answers the first answer that
   * is not a failure, or the last failure's answer; throws the last timeout or connection error
   * when no deployment answered at all.
   */
  async send(
    path: string,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
    other?: OtherApiRequest,
  ): Promise<UpstreamAnswer> {
    const { maxAttempts } = this.deps.settings;
    const passedOver = new Set<RouteCandidate>();
    let last: Attempt | undefined;
    const tryOne = async (candidate: RouteCandidate, force: boolean): Promise<boolean> => {
      const wait = last?.candidate.deployment === candidate.deployment ? last.waitMs : 0;
      if (wait === undefined || wait === null) return false;
      if (!this.deps.health.claim(candidate.deployment, this.tokens, force)) {
        passedOver.add(candidate);
        return false;
      }
      if (wait > 0) await sleep(wait);
      this.attempts++;
      const request = other?.api === candidate.deployment.api ? other : { path, body, headers };
      last = await this.attempt(candidate, request.path, request.body, request.headers);
      return last.waitMs === null;
    };
    for (const candidate of this.sequence()) {
      if (this.attempts >= maxAttempts) break;
      if (await tryOne(candidate, false)) return this.serve(last!);
    }
    // Every candidate was cooling or at its limits: better a try than no answer.
    for (const candidate of this.attempts === 0 ? passedOver : []) {
      if (this.attempts >= maxAttempts) break;
      if (await tryOne(candidate, true)) return this.serve(last!);
    }
    const final = last;
    if (!final) {
      throw new DomainError(ErrorCode.UpstreamError, 'no upstream could be tried for the call');
    }
    if (final.error) throw final.error;
    return this.serve(final);
  }

  /** The candidates, again from the first while attempts are left. */
  private sequence(): RouteCandidate[] {
    const { maxAttempts } = this.deps.settings;
    return Array.from(
      { length: Math.max(maxAttempts, this.candidates.length) },
      (_, i) => this.candidates[i % this.candidates.length],
    );
  }

  /** One try (see Attempt). */
  private async attempt(
    candidate: RouteCandidate,
    path: string,
    body: Record<string, unknown>,
    headers: Record<string, string>,
  ): Promise<Attempt> {
    const { deployment } = candidate;
    const exchange = new UpstreamExchange(
      this.deps.pools,
      deployment,
      this.deps.settings.idleTimeoutMs,
      this.deps.metrics,
      deployment.timeoutMs,
    );
    this.current = exchange;
    this.claimed = deployment;
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let answer: UpstreamAnswer;
    try {
      answer = await exchange.send(path, bodyFor(candidate, body), headers);
    } catch (error) {
      const failure = exchange.failure(error);
      this.settle(
        deployment,
        failure.code === ErrorCode.UpstreamTimeout ? 'timeout' : 'unreachable',
        seconds(),
      );
      return { candidate, error: failure, waitMs: SAME_DEPLOYMENT_BACKOFF_MS };
    }
    if (!retryable(answer.status)) {
      this.deps.health.record(deployment, false, seconds() * 1000);
      this.deps.metrics?.attempted(deployment.id, answer.ok ? 'served' : 'passed', seconds());
      return { candidate, answer, waitMs: null };
    }
    // Read whole (it may be passed on as the call's answer), freeing the connection.
    const text = await answer.text().catch(() => '');
    this.settle(deployment, answer.status === 429 ? '429' : '5xx', seconds());
    const retryAfterMs = retryAfter(answer.headers.get('retry-after'));
    const waitMs =
      retryAfterMs === undefined
        ? SAME_DEPLOYMENT_BACKOFF_MS
        : retryAfterMs <= this.deps.settings.retryAfterMaxMs
          ? retryAfterMs
          : undefined;
    const kept = UpstreamAnswer.whole(answer.status, answer.allHeaders, text);
    return { candidate, answer: kept, waitMs };
  }

  /** A failed try: over, counted against the deployment. */
  private settle(deployment: Upstream, outcome: AttemptOutcome, seconds: number): void {
    this.current?.finish();
    this.release();
    this.deps.health.record(deployment, true, seconds * 1000);
    this.deps.metrics?.attempted(deployment.id, outcome, seconds);
  }

  private serve({ candidate, answer }: Attempt): UpstreamAnswer {
    this.served = candidate;
    this.onServed?.(candidate, this.attempts);
    return answer!;
  }

  /** Restarts the deadline between chunks. */
  touch(): void {
    this.current?.touch();
  }

  /** The answer is complete. */
  finish(): void {
    this.current?.finish();
    this.release();
  }

  /** Stops the upstream's work (the client left, or the credits ran out). */
  cancel(): void {
    this.current?.cancel();
    this.release();
  }

  /** What a failed read means to the client (see UpstreamExchange.failure). */
  failure(error: unknown): DomainError {
    const failure = this.current
      ? this.current.failure(error)
      : new DomainError(ErrorCode.UpstreamError, String(error));
    this.release();
    return failure;
  }

  /** No longer in flight at its deployment (idempotent). */
  release(): void {
    if (!this.claimed) return;
    this.deps.health.release(this.claimed);
    this.claimed = undefined;
  }
}

/**
 * The request body a candidate is sent: the call's (or its translation's), asking for the
 * candidate's model (a fallback's when it is one).
 */
export function bodyFor(
  candidate: RouteCandidate,
  body: Record<string, unknown>,
): Record<string, unknown> {
  return { ...body, model: candidate.model };
}

/** 429, 5xx (Anthropic's 529 too): another deployment may do better. */
export function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Retry-After in ms: seconds, or an HTTP date. */
export function retryAfter(header: string | null): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
