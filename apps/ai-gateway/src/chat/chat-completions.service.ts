import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { Response } from 'express';
import type { ApiKey } from '../api-keys/api-key.repository';
import { BalanceGuard } from '../balances/balance-guard';
import { ChargesService } from '../charges/charges.service';
import { GatewayConfig } from '../config/gateway.config';
import { PriceBook } from '../pricing/price-book';
import { ChatRequest, readChatRequest } from './chat-request';
import { ChatStream } from './chat-stream';
import { estimatedUsage, producedText, reportedUsage } from './chat-usage';
import { MeteredCall } from './metered-call';
import { estimateTokens } from './token-estimate';
import { UpstreamExchange } from './upstream-exchange';
import { Upstreams } from './upstreams';

/**
 * `POST /v1/chat/completions`: checks the credits, forwards the request to the model's upstream,
 * passes its answer back unchanged (a stream chunk by chunk), and charges what it reported (or,
 * failing a report, what was counted) through the outbox before the client sees the end.
 */
@Injectable()
export class ChatCompletionsService {
  private readonly logger = new Logger(ChatCompletionsService.name);
  constructor(
    private readonly config: GatewayConfig,
    private readonly prices: PriceBook,
    private readonly guard: BalanceGuard,
    private readonly charges: ChargesService,
    private readonly upstreams: Upstreams,
  ) {}

  async complete(key: ApiKey, body: unknown, res: Response): Promise<void> {
    const request = readChatRequest(body);
    const upstream = this.upstreams.for(request.model);
    if (!upstream) {
      throw new DomainError(
        ErrorCode.ModelNotFound,
        `no upstream serves the model ${request.model}`,
      );
    }
    const target = { scene: 'chat', provider: upstream.provider, model: request.model };
    const rule = await this.prices.ruleFor(target, ErrorCode.ModelNotFound);
    // Hidden reasoning cannot be counted as it goes: only the upstream's limit bounds it, so a
    // call always has one (the gateway's default when the client set none), reserved in full.
    const perChoice = request.maxOutputTokens ?? this.config.GUARD_DEFAULT_MAX_TOKENS;
    const forwarded =
      request.maxOutputTokens === undefined
        ? { ...request.body, max_completion_tokens: perChoice }
        : request.body;
    const call = new MeteredCall(
      {
        guard: this.guard,
        charges: this.charges,
        prices: this.prices,
        onRecordFailure: (error, attempt) =>
          this.logger.warn(
            `could not record a chat charge (attempt ${attempt}), trying again: ${String(error)}`,
          ),
      },
      {
        userId: key.user_id,
        apiKeyId: key.id,
        rule,
        target,
        promptTokens: request.promptTokens,
        outputTokens: perChoice * request.choices,
        sliceTokens: this.config.STREAM_SLICE_TOKENS,
        renewEveryMs: Math.ceil(this.config.RESERVATION_TTL_MS / 3),
      },
    );
    const exchange = new UpstreamExchange(upstream, this.config.UPSTREAM_TIMEOUT_MS);
    await call.open();
    try {
      if (request.stream) {
        await new ChatStream(
          { ...request, body: forwarded },
          call,
          exchange,
          res,
          this.logger,
        ).run();
      } else {
        await this.answer({ ...request, body: forwarded }, call, exchange, res);
      }
    } finally {
      // A call that ended some unforeseen way leaves its reservation to lapse, not held for ever.
      call.stopRenewal();
    }
  }

  private async answer(
    request: ChatRequest,
    call: MeteredCall,
    exchange: UpstreamExchange,
    res: Response,
  ): Promise<void> {
    let status: number;
    let text: string;
    let contentType: string;
    try {
      const upstream = await exchange.send(request.body);
      status = upstream.status;
      contentType = upstream.headers.get('content-type') ?? 'application/json';
      text = await upstream.text().catch((error: unknown) => {
        throw exchange.failure(error);
      });
      exchange.finish();
    } catch (error) {
      await call.abandon();
      throw error;
    }
    if (status < 200 || status >= 300) {
      // The upstream's refusal or failure is the client's answer; nothing was produced to charge.
      await call.abandon();
      res.status(status).type(contentType).send(text);
      return;
    }
    let completion: { id?: unknown; usage?: unknown };
    try {
      completion = JSON.parse(text) as typeof completion;
    } catch {
      await call.abandon();
      throw new DomainError(
        ErrorCode.UpstreamError,
        'the upstream answered 2xx with a body that is not JSON',
      );
    }
    const reported = reportedUsage(completion.usage);
    try {
      await call.settle(
        reported ?? estimatedUsage(request.promptTokens, estimateTokens(producedText(completion))),
        { stream: false, usage_source: reported ? 'upstream' : 'estimated', finish: 'completed' },
        typeof completion.id === 'string' ? completion.id : undefined,
      );
    } catch (error) {
      // Refused (not a passing fault, which is retried): not answered, and not left reserved.
      await call.abandon().catch(() => undefined);
      throw error;
    }
    res.status(status).type(contentType).send(text);
  }
}
