import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { UpstreamAnswer } from './upstream-answer';
import type { UpstreamPools } from './upstream-pools';
import type { Upstream } from './upstream-routes';
import { outcomeOf, type UpstreamMetrics } from './upstream.metrics';

/**
 * One request to an upstream: the abort signal shared by the request and the reading of its
 * answer, and a deadline that restarts with every sign of life (the answer's start, each chunk),
 * so a stream may run long but never hang.
 */
export class UpstreamExchange {
  readonly abort = new AbortController();
  private timer?: NodeJS.Timeout;
  private timedOut = false;
  /** The deadline running now: the first byte's, then the one between chunks. */
  private deadlineMs: number;

  /** `firstByteMs`: the longest wait for the answer to begin (`timeoutMs` when not given). */
  constructor(
    private readonly pools: UpstreamPools,
    readonly upstream: Upstream,
    private readonly timeoutMs: number,
    private readonly metrics?: UpstreamMetrics,
    private readonly firstByteMs = timeoutMs,
  ) {
    this.deadlineMs = firstByteMs;
  }

  /**
   * POSTs the body to `${baseUrl}${path}` (`/chat/completions`, `/responses`, `/messages`...) with
   * the upstream's own key in its API's header; `headers` adds what that API needs
   * (e.g. `anthropic-version`).
   */
  send(
    path: string,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<UpstreamAnswer> {
    return this.request('POST', path, body, headers);
  }

  /** GETs `${baseUrl}${path}`. */
  get(path: string): Promise<UpstreamAnswer> {
    return this.request('GET', path);
  }

  private async request(
    method: 'GET' | 'POST',
    path: string,
    body?: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<UpstreamAnswer> {
    this.touch(this.firstByteMs);
    const { api, apiKey } = this.upstream;
    const auth: Record<string, string> = !apiKey
      ? {}
      : api === 'anthropic'
        ? { 'x-api-key': apiKey }
        : { authorization: `Bearer ${apiKey}` };
    const started = performance.now();
    const observe = (outcome: Parameters<UpstreamMetrics['observe']>[2]) =>
      this.metrics?.observe(
        path,
        this.upstream.provider,
        outcome,
        (performance.now() - started) / 1000,
      );
    try {
      const answer = await this.pools.send(this.upstream.baseUrl, path, {
        method,
        headers: {
          ...headers,
          ...(body ? { 'content-type': 'application/json' } : {}),
          accept: body?.stream ? 'text/event-stream' : 'application/json',
          ...auth,
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: this.abort.signal,
      });
      observe(outcomeOf(answer.status));
      this.touch(); // the answer began: from now on, the deadline between chunks
      return answer;
    } catch (error) {
      const failure = this.failure(error);
      observe(this.timedOut ? 'timeout' : 'unreachable');
      throw failure;
    }
  }

  /** Restarts the deadline (the one between chunks unless told). */
  touch(ms = this.timeoutMs): void {
    clearTimeout(this.timer);
    this.deadlineMs = ms;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.abort.abort();
    }, ms);
  }

  /** Stops the deadline (the answer is complete). */
  finish(): void {
    clearTimeout(this.timer);
  }

  /** Stops the upstream's work (the client left, or the credits ran out). */
  cancel(): void {
    this.finish();
    this.abort.abort();
  }

  /** What a failed request or read means to the client: a timeout or an unreachable upstream. */
  failure(error: unknown): DomainError {
    this.finish();
    const name = this.upstream.provider;
    if (this.timedOut) {
      return new DomainError(
        ErrorCode.UpstreamTimeout,
        `the upstream ${name} did not answer within ${this.deadlineMs} ms`,
      );
    }
    const { cause, code, message } = error as Error & {
      cause?: { code?: string; message?: string };
      code?: string;
    };
    const why = cause?.code ?? cause?.message ?? code ?? message;
    return new DomainError(
      ErrorCode.UpstreamError,
      `the upstream ${name} could not be reached (${why})`,
    );
  }
}
