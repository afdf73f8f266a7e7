import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { ApiKey } from '../api-keys/api-key.repository';
import { answerMetered } from '../metering/metered-answer';
import { MeteredCalls } from '../metering/metered-calls';
import { MeteredStream } from '../metering/metered-stream';
import { messagesViaChat } from '../translation/messages-via-chat';
import { readCountTokensRequest, readMessagesRequest } from './messages-request';
import { messagesStreamDialect } from './messages-stream';
import { ledgerUsage, mergeUsage, messageText } from './messages-usage';

/**
 * `POST /v1/messages` (Anthropic's Messages API): checks the credits, forwards the request to an
 * Anthropic upstream serving the model, passes its answer back unchanged (a stream event by
 * event), and charges what it reported through the outbox before the client sees the end. A
 * deployment of the model (or of a fallback) speaking OpenAI's API is called in it and answered
 * in Anthropic's (translation/).
 */
@Injectable()
export class MessagesService {
  private readonly logger = new Logger(MessagesService.name);

  constructor(private readonly calls: MeteredCalls) {}

  async create(key: ApiKey, body: unknown, req: Request, res: Response): Promise<void> {
    const request = readMessagesRequest(body, req.headers);
    // max_tokens bounds the whole output, thinking included: reserved in full up front.
    const opened = await this.calls.open(key, {
      api: 'anthropic',
      scene: 'chat',
      source: 'chat',
      model: request.model,
      promptTokens: request.promptTokens,
      outputTokens: request.maxTokens,
      hourCacheWrites: request.hourCacheWrites,
      // For an OpenAI deployment: translated (or refused, 400) before anything is reserved or sent.
      translate: () => messagesViaChat(request.body),
    });
    const via = opened.exchange.reaches('openai') ? messagesViaChat(request.body) : undefined;
    const { headers } = request;
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
              via,
            },
            res,
            this.logger,
          ).run()
        : answerMetered(
            opened,
            {
              path: '/messages',
              body: request.body,
              headers,
              metadata: { api: 'anthropic' },
              promptTokens: request.promptTokens,
              read: (message) => ({
                usage: ledgerUsage(mergeUsage(undefined, message.usage)),
                outputBytes: Buffer.byteLength(messageText(message), 'utf8'),
                upstreamId: typeof message.id === 'string' ? message.id : undefined,
              }),
              via,
            },
            res,
            this.logger,
          ),
    );
  }

  /** `POST /v1/messages/count_tokens`: free, passed through to the model's upstream. */
  async countTokens(key: ApiKey, body: unknown, req: Request, res: Response): Promise<void> {
    const request = readCountTokensRequest(body, req.headers);
    this.calls.checkModel(key, request.model);
    const exchange = this.calls.exchangeWith(this.calls.upstreamFor(request.model, 'anthropic'));
    const answer = await exchange.send('/messages/count_tokens', request.body, request.headers);
    const text = await answer.text().catch((error: unknown) => {
      throw exchange.failure(error);
    });
    exchange.finish();
    res
      .status(answer.status)
      .type(answer.headers.get('content-type') ?? 'application/json')
      .send(text);
  }
}
