import type { Logger } from '@nestjs/common';
import type { Response } from 'express';
import { once } from 'node:events';
import type { MeteredCall } from '../metering/metered-call';
import { eventData, ServerSentEvents } from '../metering/server-sent-events';
import { tokensForBytes } from '../metering/token-estimate';
import type { UpstreamExchange } from '../upstreams/upstream-exchange';
import { anthropicError } from './anthropic-error-shape';
import type { MessagesRequest } from './messages-request';
import { AnthropicUsage, ledgerUsage, mergeUsage, producedText } from './messages-usage';

/** How a stream ended, as the charge's metadata says. */
type Finish = 'completed' | 'client_disconnected' | 'insufficient_credits' | 'upstream_failed';

/**
 * One streamed Messages call: each of Anthropic's events (message_start, content_block_*,
 * message_delta, ping, …) is passed to the client as soon as it is complete, while the output is
 * counted against the reservation. `message_stop` is passed on only after the charge is recorded,
 * so a client that has the whole message has also been charged.
 */
export class MessagesStream {
  private readonly events = new ServerSentEvents();
  /** UTF-8 bytes of output passed on (counted, not kept). */
  private outputBytes = 0;
  private usage?: AnthropicUsage;
  private messageId?: string;
  private clientGone = false;
  private stopEvent?: string;

  constructor(
    private readonly request: MessagesRequest,
    private readonly headers: Record<string, string>,
    private readonly call: MeteredCall,
    private readonly exchange: UpstreamExchange,
    private readonly res: Response,
    private readonly logger: Logger,
  ) {}

  async run(): Promise<void> {
    let upstream: globalThis.Response;
    try {
      upstream = await this.exchange.send(
        '/messages',
        { ...this.request.body, stream: true },
        this.headers,
      );
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
    if (this.res.destroyed) return leave();
    this.res.flushHeaders();
    this.res.on('close', () => {
      if (!this.res.writableFinished) leave();
    });
  }

  /** What the output counts so far: the bytes seen, or the upstream's running count if higher. */
  private produced(): number {
    return Math.max(tokensForBytes(this.outputBytes), this.usage?.output_tokens ?? 0);
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
        if (!(await this.call.cover(this.produced()))) {
          this.exchange.cancel();
          this.sendError(
            'billing_error',
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
      this.sendError('api_error', failure.message);
      return 'upstream_failed';
    } finally {
      reader.releaseLock();
    }
  }

  private async pass(event: string): Promise<void> {
    const data = eventData(event);
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = data === undefined ? undefined : (JSON.parse(data) as Record<string, unknown>);
    } catch {
      parsed = undefined;
    }
    switch (parsed?.type) {
      case 'message_start': {
        const message = parsed.message as { id?: unknown; usage?: unknown } | undefined;
        if (typeof message?.id === 'string') this.messageId ??= message.id;
        this.usage = mergeUsage(this.usage, message?.usage);
        break;
      }
      case 'content_block_start':
        this.outputBytes += Buffer.byteLength(producedText(parsed.content_block), 'utf8');
        break;
      case 'content_block_delta':
        this.outputBytes += Buffer.byteLength(producedText(parsed.delta), 'utf8');
        break;
      case 'message_delta':
        this.usage = mergeUsage(this.usage, parsed.usage);
        break;
      case 'message_stop':
        this.stopEvent = event; // passed on after the charge is recorded
        return;
    }
    await this.write(`${event}\n\n`);
  }

  /**
   * Charges what was produced (settle tries until it is recorded), then lets the client see the
   * end. Only a charge the ledger refuses ends the stream with an error instead.
   */
  private async end(finish: Finish): Promise<void> {
    const reported = ledgerUsage(this.usage);
    const produced = reported !== undefined || this.outputBytes > 0;
    try {
      if (produced) {
        await this.call.settle(
          reported ?? {
            input_tokens: this.request.promptTokens,
            output_tokens: tokensForBytes(this.outputBytes),
          },
          {
            api: 'anthropic',
            stream: true,
            usage_source: reported ? 'upstream' : 'estimated',
            finish,
          },
          this.messageId,
        );
      } else {
        await this.call.abandon();
      }
    } catch (error) {
      this.logger.error(`could not record the charge of a stream: ${String(error)}`);
      this.sendError('api_error', 'the call could not be recorded');
      await this.call.abandon().catch(() => undefined);
      this.res.end();
      return;
    }
    if (finish === 'completed' && this.stopEvent) await this.write(`${this.stopEvent}\n\n`);
    this.res.end();
  }

  /** An `error` event in Anthropic's shape (the official client raises it as an APIError). */
  private sendError(type: string, message: string): void {
    if (this.clientGone || this.res.destroyed) return;
    this.res.write(`event: error\ndata: ${JSON.stringify(anthropicError(type, message))}\n\n`);
  }

  /** Writes, waiting while the client's socket is full (a slow client slows the relay). */
  private async write(text: string): Promise<void> {
    if (this.clientGone || this.res.destroyed) return;
    if (!this.res.write(text)) {
      await Promise.race([once(this.res, 'drain'), once(this.res, 'close')]);
    }
  }
}
