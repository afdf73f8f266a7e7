import type { Logger } from '@nestjs/common';
import { ErrorCode, type ChargeUsage } from '@tally/contracts';
import type { Response } from 'express';
import { once } from 'node:events';
import type { OpenedCall } from './metered-calls';
import { ServerSentEvents } from './server-sent-events';
import { tokensForBytes } from './token-estimate';

/** How a stream ended, as the charge's metadata says. */
export type Finish =
  | 'completed'
  | 'client_disconnected'
  | 'insufficient_credits'
  | 'key_budget_exceeded'
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
   * `pass`: to the client now; `end`: the stream's last word, passed once the charge is recorded
   * and only when the stream completed; `drop`: not the client's.
   */
  route: 'pass' | 'end' | 'drop';
}

/** The API-specific part of a stream: how its events read, and how it says an error. */
export interface StreamDialect {
  read(event: string): StreamEvent;
  /** A whole SSE error event in the API's own shape (its client raises it). */
  errorEvent(code: ErrorCode, message: string): string;
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
  private clientGone = false;

  constructor(
    private readonly opened: OpenedCall,
    private readonly request: MeteredStreamRequest,
    private readonly res: Response,
    private readonly logger: Logger,
  ) {}

  async run(): Promise<void> {
    const { call, exchange } = this.opened;
    let upstream: globalThis.Response;
    try {
      upstream = await exchange.send(this.request.path, this.request.body, this.request.headers);
    } catch (error) {
      await call.abandon();
      throw error;
    }
    if (!upstream.ok || !upstream.body) {
      const text = await upstream.text().catch(() => '');
      exchange.finish();
      await call.abandon();
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

  /** Passes events on until the upstream ends, fails, the client leaves or the credits run out. */
  private async relay(body: ReadableStream<Uint8Array>): Promise<Finish> {
    const { call, exchange } = this.opened;
    const reader = body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        exchange.touch();
        for (const event of this.events.push(decoder.decode(value, { stream: true }))) {
          await this.pass(event);
        }
        if (this.clientGone) return 'client_disconnected';
        if (!(await call.cover(this.producedTokens()))) {
          exchange.cancel();
          if (call.refusal?.code === ErrorCode.KeyBudgetExceeded) {
            this.sendError(
              ErrorCode.KeyBudgetExceeded,
              "key budget exceeded: the stream was stopped because the key's budget ran out",
            );
            return 'key_budget_exceeded';
          }
          this.sendError(
            ErrorCode.InsufficientCredits,
            'insufficient credits: the stream was stopped because the credits ran out',
          );
          return 'insufficient_credits';
        }
      }
      exchange.finish();
      return 'completed';
    } catch (error) {
      if (this.clientGone) return 'client_disconnected';
      const failure = exchange.failure(error);
      this.logger.warn(`stream from ${exchange.upstream.provider} broke: ${failure.message}`);
      this.sendError(failure.code, failure.message);
      return 'upstream_failed';
    } finally {
      reader.releaseLock();
    }
  }

  /** The output so far: the bytes seen, or the upstream's running count if that is higher. */
  private producedTokens(): number {
    return Math.max(tokensForBytes(this.outputBytes), this.reportedOutputTokens);
  }

  private async pass(event: string): Promise<void> {
    const read = this.request.dialect.read(event);
    this.outputBytes += read.outputBytes;
    if (read.outputTokens !== undefined) this.reportedOutputTokens = read.outputTokens;
    this.upstreamId ??= read.upstreamId;
    if (read.usage) this.usage = read.usage;
    if (read.route === 'end') this.ending.push(`${event}\n\n`);
    if (read.route === 'pass') await this.write(`${event}\n\n`);
  }

  /**
   * Charges what was produced (settle tries until it is recorded), then lets the client see the
   * end. Only a charge the ledger refuses ends the stream with an error instead.
   */
  private async end(finish: Finish): Promise<void> {
    const { call } = this.opened;
    const produced = this.usage !== undefined || this.outputBytes > 0;
    try {
      if (produced) {
        const { usage, source } = this.chargedUsage(finish);
        await call.settle(
          usage,
          { ...this.request.metadata, stream: true, usage_source: source, finish },
          this.upstreamId,
        );
        await this.request.served?.(this.upstreamId, usage).catch((error: unknown) => {
          this.logger.warn(`could not note a served call: ${String(error)}`);
        });
      } else {
        // Nothing came out of it: a failed call, not charged.
        await call.abandon();
      }
    } catch (error) {
      this.logger.error(`could not record the charge of a stream: ${String(error)}`);
      this.sendError(ErrorCode.InternalError, 'the call could not be recorded');
      await call.abandon().catch(() => undefined);
      this.res.end();
      return;
    }
    if (finish === 'completed') {
      for (const text of this.ending) await this.write(text);
    }
    this.res.end();
  }

  /**
   * The upstream's usage, once it has reported all of it (a completed stream). A stream cut short
   * may have reported only a running count (Anthropic's message_start says 1 output token): it is
   * charged at least the output seen.
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
    if (finish === 'completed' || reported >= seen)
      return { usage: this.usage, source: 'upstream' };
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
