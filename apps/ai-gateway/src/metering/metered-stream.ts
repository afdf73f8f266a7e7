import type { Logger } from '@nestjs/common';
import { ErrorCode, type ChargeUsage } from '@tally/contracts';
import type { Response } from 'express';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { viaRequest, type TranslatedCall } from '../translation/translated-call';
import type { UpstreamAnswer } from '../upstreams/upstream-answer';
import type { UpstreamApi } from '../upstreams/upstream-routes';
import type { AnswerTranslation } from './metered-answer';
import { SERVED_BY_HEADER, type OpenedCall } from './metered-calls';
import { ServerSentEvents } from './server-sent-events';
import { fewestTokensForBytes, tokensForBytes } from './token-estimate';

/** How a stream ended, as the charge's metadata says. */
export type Finish =
  | 'completed'
  | 'client_disconnected'
  | 'insufficient_credits'
  | 'key_budget_exceeded'
  | 'key_revoked'
  | 'key_expired'
  | 'upstream_failed';

/** What one upstream event means to the meter, as the surface's dialect reads it. */
export interface StreamEvent {
  /** UTF-8 bytes of model output it carries (counted against the reservation). */
  outputBytes: number;
  /** The upstream's running count of output tokens so far, where its API reports one. */
  outputTokens?: number;
  usage?: ChargeUsage;
  upstreamId?: string;
  /**
   * `pass`: to the client now; `end`: the surface's terminal event (`[DONE]`,
   * `response.completed`, `message_stop`), the one sign that the stream is complete, passed once
   * the charge is recorded; `drop`: not the client's.
   */
  route: 'pass' | 'end' | 'drop';
  /** The upstream's own error event (passed on: the client learns of the failure from it). */
  failure?: boolean;
}

/** The API-specific part of a stream: how its events read, and how it says an error. */
export interface StreamDialect {
  read(event: string): StreamEvent;
  /** A whole SSE error event in the API's own shape (its client raises it). */
  errorEvent(code: ErrorCode, message: string): string;
  /**
   * The client's events for an upstream event, when the upstream speaks another API (see
   * translation/); without it the event passes as it came.
   */
  translate?(event: string): string[];
}

export interface MeteredStreamRequest {
  path: string;
  body: Record<string, unknown>;
  /** Headers the upstream's API needs beside its key (e.g. `anthropic-version`). */
  headers?: Record<string, string>;
  /** Added to the charge's metadata (e.g. `api: "anthropic"`). */
  metadata?: Record<string, unknown>;
  promptTokens: number;
  dialect: StreamDialect;
  /** Called once the charge is recorded, before the client sees the end. */
  served?(upstreamId: string | undefined, usage: ChargeUsage): Promise<void>;
  /** The upstream speaks another API than the client: its error answers in the client's shape. */
  translation?: Pick<AnswerTranslation, 'error'>;
  /**
   * The call put in the other API, for the deployments speaking it: when one of them serves, its
   * stream is read, and its events and errors put back in the client's shape, through it.
   */
  via?: TranslatedCall;
}

/**
 * One streamed call: each upstream event is passed to the client as soon as it is complete,
 * while the output is counted against the reservation; when the credits run out the upstream
 * is stopped and the stream ends with an error event. The charge is recorded before the
 * stream's last word, so a client that has the whole answer has also been charged.
 */
export class MeteredStream {
  private readonly events = new ServerSentEvents();
  /** UTF-8 bytes of output passed on (counted, not kept). */
  private outputBytes = 0;
  private reportedOutputTokens = 0;
  private usage?: ChargeUsage;
  private upstreamId?: string;
  private readonly ending: string[] = [];
  private upstreamFailed = false;
  private clientGone = false;
  /**
   * The charge, started as soon as the terminal event is read (the usage is known then), while the
   * rest of the upstream's answer is drained; resolves to the error when it could not be recorded.
   */
  private charging?: Promise<Error | undefined>;

  constructor(
    private readonly opened: OpenedCall,
    private request: MeteredStreamRequest,
    private readonly res: Response,
    private readonly logger: Logger,
  ) {}

  async run(): Promise<void> {
    const { call, exchange } = this.opened;
    let upstream: UpstreamAnswer;
    try {
      const { path, body, headers, via } = this.request;
      upstream = await exchange.send(path, body, headers, via && viaRequest(via));
    } catch (error) {
      await call.abandon();
      throw error;
    }
    this.res.setHeader(SERVED_BY_HEADER, exchange.upstream.id);
    this.request = servedStream(this.request, exchange.upstream.api);
    if (!upstream.ok) {
      const text = await upstream.text().catch(() => '');
      exchange.finish();
      await call.abandon();
      const { translation } = this.request;
      if (translation) {
        this.res.status(upstream.status).json(translation.error(upstream.status, text));
        return;
      }
      this.res
        .status(upstream.status)
        .type(upstream.headers.get('content-type') ?? 'application/json')
        .send(text);
      return;
    }
    this.startClientStream();
    const finish = await this.relay(upstream.body);
    await this.end(finish);
  }

  private startClientStream(): void {
    this.res.status(200);
    this.res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('cache-control', 'no-cache');
    this.res.setHeader('x-accel-buffering', 'no');
    const leave = () => {
      this.clientGone = true;
      this.opened.exchange.cancel();
    };
    // The client may have left while the upstream was being asked.
    if (this.res.destroyed) return leave();
    this.res.flushHeaders();
    this.res.on('close', () => {
      if (!this.res.writableFinished) leave();
    });
  }

  /**
   * Passes events on until the upstream ends, fails, the client leaves or the credits run out. The
   * events of each read are covered before any is passed: when the reservation cannot grow to
   * all of them, those it covers are passed and the stream stops there.
   */
  private async relay(body: Readable): Promise<Finish> {
    const { call, exchange } = this.opened;
    const decoder = new TextDecoder();
    try {
      for await (const value of body as AsyncIterable<Buffer>) {
        exchange.touch();
        if (this.charging) continue; // after the terminal event: drained, not passed
        const events = this.events
          .push(decoder.decode(value, { stream: true }))
          .map((text) => ({ text, read: this.request.dialect.read(text) }));
        const covered = await call.cover(this.producedTokens(events.map((e) => e.read)));
        for (const event of events) {
          if (!covered && this.producedTokens([event.read]) > call.coveredOutput) break;
          await this.pass(event.text, event.read);
        }
        if (covered && this.ending.length > 0) this.charging = this.charge('completed');
        if (this.clientGone) return 'client_disconnected';
        if (!covered) {
          exchange.cancel();
          return this.refused();
        }
      }
      exchange.finish();
      if (this.ending.length > 0) return 'completed';
      // Ended without its terminal event (cut off, or after an error event): not a whole answer.
      if (!this.upstreamFailed) {
        this.sendError(
          ErrorCode.UpstreamError,
          `the stream from ${exchange.upstream.provider} ended before its end: the answer is incomplete`,
        );
      }
      return 'upstream_failed';
    } catch (error) {
      if (this.clientGone) return 'client_disconnected';
      if (this.charging) {
        exchange.finish(); // the whole answer was read: what failed after it is not the client's
        return 'completed';
      }
      const failure = exchange.failure(error);
      this.logger.warn(`stream from ${exchange.upstream.provider} broke: ${failure.message}`);
      this.sendError(failure.code, failure.message);
      return 'upstream_failed';
    } finally {
      body.destroy(); // a stream left early (refused, or the client gone) frees its connection
    }
  }

  /** Tells the client why the stream stopped at what was covered: the key, or the credits. */
  private refused(): Finish {
    const refusal = this.opened.call.refusal;
    if (refusal?.code === ErrorCode.KeyBudgetExceeded) {
      this.sendError(
        ErrorCode.KeyBudgetExceeded,
        "key budget exceeded: the stream was stopped because the key's budget ran out",
      );
      return 'key_budget_exceeded';
    }
    if (refusal?.code === ErrorCode.Unauthorized) {
      this.sendError(ErrorCode.Unauthorized, `${refusal.message}: the stream was stopped`);
      return refusal.details?.includes('expired') ? 'key_expired' : 'key_revoked';
    }
    this.sendError(
      ErrorCode.InsufficientCredits,
      'insufficient credits: the stream was stopped because the credits ran out',
    );
    return 'insufficient_credits';
  }

  /**
   * The output once `reads` are passed: the bytes seen, or the upstream's running count if that
   * is higher.
   */
  private producedTokens(reads: StreamEvent[] = []): number {
    let bytes = this.outputBytes;
    let reported = this.reportedOutputTokens;
    for (const read of reads) {
      bytes += read.outputBytes;
      if (read.outputTokens !== undefined) reported = read.outputTokens;
    }
    return Math.max(tokensForBytes(bytes), reported);
  }

  private async pass(event: string, read: StreamEvent): Promise<void> {
    this.outputBytes += read.outputBytes;
    if (read.outputTokens !== undefined) this.reportedOutputTokens = read.outputTokens;
    this.upstreamId ??= read.upstreamId;
    if (read.usage) this.usage = read.usage;
    if (read.failure) this.upstreamFailed = true;
    const events = this.request.dialect.translate?.(event) ?? [event];
    if (read.route === 'end') this.ending.push(...events.map((text) => `${text}\n\n`));
    if (read.route === 'pass') for (const text of events) await this.write(`${text}\n\n`);
  }

  /**
   * Charges what was produced (settle tries until it is recorded), then lets the client see the
   * end. Only a charge the ledger refuses ends the stream with an error instead.
   */
  private async end(finish: Finish): Promise<void> {
    const failed = await (this.charging ?? this.charge(finish));
    if (failed !== undefined) {
      this.logger.error(`could not record the charge of a stream: ${String(failed)}`);
      this.sendError(ErrorCode.InternalError, 'the call could not be recorded');
      await this.opened.call.abandon().catch(() => undefined);
      this.res.end();
      return;
    }
    if (finish === 'completed') {
      for (const text of this.ending) await this.write(text);
    }
    this.res.end();
  }

  /** Records the charge of what was produced, or frees the reservation: the error if it failed. */
  private async charge(finish: Finish): Promise<Error | undefined> {
    const { call } = this.opened;
    const produced = this.usage !== undefined || this.outputBytes > 0;
    try {
      if (!produced) {
        await call.abandon(); // nothing came out of it: a failed call, not charged
        return undefined;
      }
      const { usage, source } = this.chargedUsage(finish);
      await call.settle(
        usage,
        { ...this.request.metadata, stream: true, usage_source: source, finish },
        this.upstreamId,
      );
      await this.request.served?.(this.upstreamId, usage).catch((error: unknown) => {
        this.logger.warn(`could not note a served call: ${String(error)}`);
      });
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /**
   * The upstream's usage when it is plausible: a complete stream's when it is at least the fewest
   * tokens the output passed on can be; a stream cut short (whose count may be a running one, as
   * Anthropic's message_start says 1 output token) only when it is at least what was passed on.
   * Otherwise the output passed on is charged, counted.
   */
  private chargedUsage(finish: Finish): { usage: ChargeUsage; source: 'upstream' | 'estimated' } {
    const seen = tokensForBytes(this.outputBytes);
    if (!this.usage) {
      return {
        usage: { input_tokens: this.request.promptTokens, output_tokens: seen },
        source: 'estimated',
      };
    }
    const reported = this.usage.output_tokens ?? 0;
    const least = finish === 'completed' ? fewestTokensForBytes(this.outputBytes) : seen;
    if (reported >= least) return { usage: this.usage, source: 'upstream' };
    return { usage: { ...this.usage, output_tokens: seen }, source: 'estimated' };
  }

  private sendError(code: ErrorCode, message: string): void {
    if (this.clientGone || this.res.destroyed) return;
    this.res.write(this.request.dialect.errorEvent(code, message));
  }

  /** Writes, waiting while the client's socket is full (a slow client slows the relay). */
  private async write(text: string): Promise<void> {
    if (this.clientGone || this.res.destroyed) return;
    if (!this.res.write(text)) {
      await Promise.race([once(this.res, 'drain'), once(this.res, 'close')]);
    }
  }
}

/** The stream as the serving deployment's API has it: translated when it is the other one. */
function servedStream(request: MeteredStreamRequest, api: UpstreamApi): MeteredStreamRequest {
  const { via } = request;
  if (!via || via.metadata.api !== api) return request;
  return {
    ...request,
    metadata: { ...request.metadata, ...via.metadata },
    dialect: via.streamDialect(),
    translation: via.translation,
  };
}
