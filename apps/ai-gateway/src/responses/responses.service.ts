import { Injectable, Logger } from '@nestjs/common';
import { ErrorCode, type ChargeUsage } from '@tally/contracts';
import { DomainError } from '@tally/platform';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import type { ApiKey } from '../api-keys/api-key.repository';
import { GatewayConfig } from '../config/gateway.config';
import { answerMetered } from '../metering/metered-answer';
import { MAX_OUTPUT_HEADER, MeteredCalls } from '../metering/metered-calls';
import { MeteredStream } from '../metering/metered-stream';
import { Upstreams } from '../upstreams/upstreams';
import { readResponsesRequest, ResponsesRequest } from './responses-request';
import { responsesStreamDialect } from './responses-stream';
import { producedResponseText, reportedResponseUsage } from './responses-usage';
import { StoredResponseRepository } from './stored-response.repository';

const PATH = '/responses';

/**
 * `POST /v1/responses` (OpenAI's Responses API) metered like a chat call, and
 * `GET /v1/responses/{id}` for the responses created through the same key.
 */
@Injectable()
export class ResponsesService {
  private readonly logger = new Logger(ResponsesService.name);

  constructor(
    private readonly calls: MeteredCalls,
    private readonly upstreams: Upstreams,
    private readonly stored: StoredResponseRepository,
    private readonly dataSource: DataSource,
    private readonly config: GatewayConfig,
  ) {}

  async create(key: ApiKey, body: unknown, res: Response): Promise<void> {
    const request = readResponsesRequest(body);
    const promptTokens = request.promptTokens + (await this.previousContext(key, request));
    // As for chat: the limit bounds hidden reasoning too, so a call always has one, reserved.
    const asked = request.maxOutputTokens;
    const opened = await this.calls.open(key, {
      scene: 'chat',
      source: 'responses',
      model: request.model,
      promptTokens,
      outputTokens: asked ?? 0,
      chooseOutput: asked === undefined ? { choices: 1 } : undefined,
    });
    const maxOutput = opened.maxOutputTokens ?? asked;
    if (opened.maxOutputTokens !== undefined) {
      res.setHeader(MAX_OUTPUT_HEADER, String(opened.maxOutputTokens));
    }
    const forwarded = { ...request.body, max_output_tokens: maxOutput };
    const keep = request.body.store !== false;
    const served = async (id: string | undefined, usage: ChargeUsage) => {
      if (!keep || id === undefined) return;
      await this.stored.insert(this.dataSource.manager, {
        response_id: id,
        api_key_id: key.id,
        model: request.model,
        context_tokens: (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0),
      });
    };
    await this.calls.serve(opened, () =>
      request.stream
        ? new MeteredStream(
            opened,
            {
              path: PATH,
              body: { ...forwarded, stream: true },
              promptTokens,
              dialect: responsesStreamDialect(),
              served,
            },
            res,
            this.logger,
          ).run()
        : answerMetered(
            opened,
            {
              path: PATH,
              body: forwarded,
              promptTokens,
              read: (response) => ({
                usage: reportedResponseUsage(response.usage),
                outputBytes: Buffer.byteLength(producedResponseText(response), 'utf8'),
                upstreamId: typeof response.id === 'string' ? response.id : undefined,
              }),
              served: (reading, usage) => served(reading.upstreamId, usage),
            },
            res,
            this.logger,
          ),
    );
  }

  /** Passes a stored response on to the key that created it; to any other it does not exist. */
  async retrieve(key: ApiKey, id: string, res: Response): Promise<void> {
    const owned = await this.stored.findOwned(this.dataSource.manager, id, key.id);
    const upstream = owned && this.upstreams.for(owned.model);
    if (!owned || !upstream) {
      throw new DomainError(ErrorCode.NotFound, `no response ${id} was created with this key`);
    }
    const exchange = this.calls.exchangeWith(upstream);
    const answer = await exchange.get(`${PATH}/${encodeURIComponent(id)}`);
    const text = await answer.text().catch((error: unknown) => {
      throw exchange.failure(error);
    });
    exchange.finish();
    res
      .status(answer.status)
      .type(answer.headers.get('content-type') ?? 'application/json')
      .send(text);
  }

  /** What continuing a response reads again (its input and output), for the guard's estimate. */
  private async previousContext(key: ApiKey, request: ResponsesRequest): Promise<number> {
    if (request.previousResponseId === undefined) return 0;
    const owned = await this.stored.findOwned(
      this.dataSource.manager,
      request.previousResponseId,
      key.id,
    );
    if (!owned) {
      const reason = `previous_response_id: no response ${request.previousResponseId} was created with this key`;
      throw new DomainError(ErrorCode.NotFound, reason, [reason]);
    }
    return owned.context_tokens;
  }
}
