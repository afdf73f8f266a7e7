import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { Request, Response } from 'express';
import type { ApiKey } from '../api-keys/api-key.repository';
import type { MeteredCall } from '../metering/metered-call';
import { MeteredCalls } from '../metering/metered-calls';
import { MeteredStream } from '../metering/metered-stream';
import { estimateTokens } from '../metering/token-estimate';
import type { UpstreamExchange } from '../upstreams/upstream-exchange';
import { MessagesRequest, readCountTokensRequest, readMessagesRequest } from './messages-request';
import { messagesStreamDialect } from './messages-stream';
import { ledgerUsage, mergeUsage, messageText } from './messages-usage';

/** What Anthropic's API versions its requests with when the client says nothing. */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/**
 * `POST /v1/messages` (Anthropic's Messages API): checks the credits, forwards the request to an
 * Anthropic upstream serving the model, passes its answer back unchanged (a stream event by
 * event), and charges what it reported through the outbox before the client sees the end.
 */
@Injectable()
export class MessagesService {
  private readonly logger = new Logger(MessagesService.name);

  constructor(private readonly calls: MeteredCalls) {}

  async create(key: ApiKey, body: unknown, req: Request, res: Response): Promise<void> {
    const request = readMessagesRequest(body);
    // max_tokens bounds the whole output, thinking included: reserved in full up front.
    const opened = await this.calls.open(key, {
      api: 'anthropic',
      scene: 'chat',
      source: 'chat',
      model: request.model,
      promptTokens: request.promptTokens,
      outputTokens: request.maxTokens,
    });
    const { call, exchange } = opened;
    const headers = anthropicHeaders(req);
    await this.calls.serve(opened, () =>
      request.stream
        ? new MeteredStream(
            opened,
            {
              path: '/messages',
              body: { ...request.body, stream: true },
              headers,
              metadata: { api: 'anthropic' },
              promptTokens: request.promptTokens,
              dialect: messagesStreamDialect(),
            },
            res,
            this.logger,
          ).run()
        : this.answer(request, headers, call, exchange, res),
    );
  }

  /** `POST /v1/messages/count_tokens`: free, passed through to the model's upstream. */
  async countTokens(body: unknown, req: Request, res: Response): Promise<void> {
    const request = readCountTokensRequest(body);
    const exchange = this.calls.exchangeWith(this.calls.upstreamFor(request.model, 'anthropic'));
    const answer = await exchange.send(
      '/messages/count_tokens',
      request.body,
      anthropicHeaders(req),
    );
    const text = await answer.text().catch((error: unknown) => {
      throw exchange.failure(error);
    });
    exchange.finish();
    res
      .status(answer.status)
      .type(answer.headers.get('content-type') ?? 'application/json')
      .send(text);
  }

  private async answer(
    request: MessagesRequest,
    headers: Record<string, string>,
    call: MeteredCall,
    exchange: UpstreamExchange,
    res: Response,
  ): Promise<void> {
    let status: number;
    let text: string;
    let contentType: string;
    try {
      const upstream = await exchange.send('/messages', request.body, headers);
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
    let message: { id?: unknown; usage?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      await call.abandon();
      throw new DomainError(
        ErrorCode.UpstreamError,
        'the upstream answered 2xx with a body that is not JSON',
      );
    }
    const reported = ledgerUsage(mergeUsage(undefined, message.usage));
    try {
      await call.settle(
        reported ?? {
          input_tokens: request.promptTokens,
          output_tokens: estimateTokens(messageText(message)),
        },
        {
          api: 'anthropic',
          stream: false,
          usage_source: reported ? 'upstream' : 'estimated',
          finish: 'completed',
        },
        typeof message.id === 'string' ? message.id : undefined,
      );
    } catch (error) {
      await call.abandon().catch(() => undefined);
      throw error;
    }
    res.status(status).type(contentType).send(text);
  }
}

/** The Anthropic headers the upstream needs from the client: the API version and betas. */
function anthropicHeaders(req: Request): Record<string, string> {
  const version = req.headers['anthropic-version'];
  const beta = req.headers['anthropic-beta'];
  return {
    'anthropic-version':
      typeof version === 'string' && version ? version : DEFAULT_ANTHROPIC_VERSION,
    ...(typeof beta === 'string' && beta ? { 'anthropic-beta': beta } : {}),
  };
}
