import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { ApiKey } from '../api-keys/api-key.repository';
import { answerMetered } from '../metering/metered-answer';
import { MAX_OUTPUT_HEADER, MeteredCalls } from '../metering/metered-calls';
import { MeteredStream } from '../metering/metered-stream';
import { chatViaMessages } from '../translation/chat-via-messages';
import { readChatRequest } from './chat-request';
import { chatStreamDialect } from './chat-stream';
import { producedText, reportedUsage } from './chat-usage';

const PATH = '/chat/completions';

/**
 * `POST /v1/chat/completions`: checks the credits, forwards the request to the model's upstream,
 * passes its answer back unchanged (a stream chunk by chunk), and charges what it reported (or,
 * failing a report, what was counted) through the outbox before the client sees the end. A
 * deployment of the model (or of a fallback) speaking Anthropic's API is called in it and
 * answered in OpenAI's (translation/).
 */
@Injectable()
export class ChatCompletionsService {
  private readonly logger = new Logger(ChatCompletionsService.name);
  constructor(private readonly calls: MeteredCalls) {}

  async complete(key: ApiKey, body: unknown, res: Response): Promise<void> {
    const request = readChatRequest(body);
    // Hidden reasoning cannot be counted as it goes: only the upstream's limit bounds it, so a
    // call always has one (when the client set none, the most the user can afford up to the
    // gateway's default), reserved in full.
    const asked = request.maxOutputTokens;
    // For an Anthropic deployment: translated (or refused, 400) before anything is reserved or sent.
    const viaMessages = (maxTokens: number) =>
      chatViaMessages(request.body, maxTokens, request.clientWantsUsage);
    const opened = await this.calls.open(key, {
      scene: 'chat',
      source: 'chat',
      model: request.model,
      promptTokens: request.promptTokens,
      outputTokens: (asked ?? 0) * request.choices,
      chooseOutput: asked === undefined ? { choices: request.choices } : undefined,
      translate: () => viaMessages(asked ?? 1), // the limit is chosen later: any will do here
    });
    const chosen = opened.maxOutputTokens;
    if (chosen !== undefined) res.setHeader(MAX_OUTPUT_HEADER, String(chosen));
    const forwarded =
      chosen === undefined ? request.body : { ...request.body, max_completion_tokens: chosen };
    const perChoice = (chosen ?? asked)!;
    const via = opened.exchange.reaches('anthropic') ? viaMessages(perChoice) : undefined;
    await this.calls.serve(opened, () =>
      request.stream
        ? new MeteredStream(
            opened,
            {
              path: PATH,
              body: {
                ...forwarded,
                stream: true,
                stream_options: {
                  ...(forwarded.stream_options as object | undefined),
                  include_usage: true,
                },
              },
              promptTokens: request.promptTokens,
              dialect: chatStreamDialect(request.clientWantsUsage),
              via,
            },
            res,
            this.logger,
          ).run()
        : answerMetered(
            opened,
            {
              path: PATH,
              body: forwarded,
              promptTokens: request.promptTokens,
              read: (completion) => ({
                usage: reportedUsage(completion.usage),
                outputBytes: Buffer.byteLength(producedText(completion), 'utf8'),
                upstreamId: typeof completion.id === 'string' ? completion.id : undefined,
              }),
              via,
            },
            res,
            this.logger,
          ),
    );
  }
}
