import type { Logger } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import type { Response } from 'express';
import { once } from 'node:events';
import type { ChatRequest } from './chat-request';
import { estimatedUsage, producedText, reportedUsage } from './chat-usage';
import type { MeteredCall } from './metered-call';
import { eventData, ServerSentEvents } from './server-sent-events';
import { tokensForBytes } from './token-estimate';
import type { UpstreamExchange } from './upstream-exchange';

/** How a stream ended, as the charge's metadata says. */
type Finish = 'completed' | 'client_disconnected' | 'insufficient_credits' | 'upstream_failed';

/**
 * One streamed chat call: each upstream event is passed to the client as soon as it is complete,
 * while the output is counted against the reservation. The usage chunk is asked for even when the
 * client did not ask (and then not passed on). The charge is recorded before the final `[DONE]`,
 * so a client that has the whole answer has also been charged.
 */
export class ChatStream {
  private readonly events = new ServerSentEvents();
  /** UTF-8 bytes of output passed on (counted, not kept). */
  private outputBytes = 0;
  private usage?: ReturnType<typeof reportedUsage>;
  private completionId?: string;
  private clientGone = false;
  private sawDone = false;

  constructor(
    private readonly request: ChatRequest,
    private readonly call: MeteredCall,
    private readonly exchange: UpstreamExchange,
    private readonly res: Response,
    private readonly logger: Logger,
  ) {}

  async run(): Promise<void> {
    let upstream: globalThis.Response;
    try {
      upstream = await this.exchange.send({
        ...this.request.body,
        stream: true,
        stream_options: {
          ...(this.request.body.stream_options as object | undefined),
          include_usage: true,
        },
      });
    } catch (error) {
      await this.call.abandon();
      throw error;
    }
    if (!upstream.ok || !upstream.body) {
      const text = await upstream.text().catch(() => '');
      this.exchange.finish();
      await this.call.abandon();
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
      this.exchange.cancel();
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
    const reader = body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.exchange.touch();
        for (const event of this.events.push(decoder.decode(value, { stream: true }))) {
          await this.pass(event);
        }
        if (this.clientGone) return 'client_disconnected';
        if (!(await this.call.cover(tokensForBytes(this.outputBytes)))) {
          this.exchange.cancel();
          this.sendError(
            ErrorCode.InsufficientCredits,
            'insufficient credits: the stream was stopped because the credits ran out',
          );
          return 'insufficient_credits';
        }
      }
      this.exchange.finish();
      return 'completed';
    } catch (error) {
      if (this.clientGone) return 'client_disconnected';
      const failure = this.exchange.failure(error);
      this.logger.warn(`stream from ${this.exchange.upstream.provider} broke: ${failure.message}`);
      this.sendError(failure.code, failure.message);
      return 'upstream_failed';
    } finally {
      reader.releaseLock();
    }
  }

  private async pass(event: string): Promise<void> {
    const data = eventData(event);
    if (data === '[DONE]') {
      this.sawDone = true; // passed on after the charge is recorded
      return;
    }
    let chunk: { id?: unknown; usage?: unknown; choices?: unknown[] } | undefined;
    try {
      chunk = data === undefined ? undefined : (JSON.parse(data) as typeof chunk);
    } catch {
      chunk = undefined;
    }
    if (chunk) {
      this.outputBytes += Buffer.byteLength(producedText(chunk), 'utf8');
      if (typeof chunk.id === 'string') this.completionId ??= chunk.id;
      const usage = reportedUsage(chunk.usage);
      if (usage) {
        this.usage = usage;
        // The usage-only chunk the gateway asked for on its own account is not the client's.
        const usageOnly = Array.isArray(chunk.choices) && chunk.choices.length === 0;
        if (usageOnly && !this.request.clientWantsUsage) return;
      }
    }
    await this.write(`${event}\n\n`);
  }

  /**
   * Charges what was produced (settle tries until it is recorded), then lets the client see the
   * end. Only a charge the ledger refuses ends the stream with an error instead.
   */
  private async end(finish: Finish): Promise<void> {
    const produced = this.usage !== undefined || this.outputBytes > 0;
    try {
      if (produced) {
        await this.call.settle(
          this.usage ?? estimatedUsage(this.request.promptTokens, tokensForBytes(this.outputBytes)),
          { stream: true, usage_source: this.usage ? 'upstream' : 'estimated', finish },
          this.completionId,
        );
      } else {
        // Nothing came out of it: a failed call, not charged.
        await this.call.abandon();
      }
    } catch (error) {
      this.logger.error(`could not record the charge of a stream: ${String(error)}`);
      this.sendError(ErrorCode.InternalError, 'the call could not be recorded');
      await this.call.abandon().catch(() => undefined);
      this.res.end();
      return;
    }
    if (finish === 'completed' && this.sawDone) await this.write('data: [DONE]\n\n');
    this.res.end();
  }

  /** An error event in OpenAI's shape (the official client raises it as an APIError). */
  private sendError(code: ErrorCode, message: string): void {
    if (this.clientGone || this.res.destroyed) return;
    const type = code === ErrorCode.InsufficientCredits ? 'insufficient_credits' : 'api_error';
    this.res.write(`data: ${JSON.stringify({ error: { message, type, param: null, code } })}\n\n`);
  }

  /** Writes, waiting while the client's socket is full (a slow client slows the relay). */
  private async write(text: string): Promise<void> {
    if (this.clientGone || this.res.destroyed) return;
    if (!this.res.write(text)) {
      await Promise.race([once(this.res, 'drain'), once(this.res, 'close')]);
    }
  }
}
