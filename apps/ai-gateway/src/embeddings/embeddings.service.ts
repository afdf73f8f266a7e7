import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import type { ApiKey } from '../api-keys/api-key.repository';
import { answerMetered } from '../metering/metered-answer';
import { MeteredCalls } from '../metering/metered-calls';
import { readEmbeddingsRequest } from './embeddings-request';
import { reportedEmbeddingUsage } from './embeddings-usage';

/**
 * `POST /v1/embeddings`: priced by the rules of scene `embedding` on the input tokens the
 * upstream reports (the estimate from the input when it reports none); there is no output.
 */
@Injectable()
export class EmbeddingsService {
  private readonly logger = new Logger(EmbeddingsService.name);

  constructor(private readonly calls: MeteredCalls) {}

  async create(key: ApiKey, body: unknown, res: Response): Promise<void> {
    const request = readEmbeddingsRequest(body);
    const opened = await this.calls.open(key, {
      scene: 'embedding',
      source: 'embedding',
      model: request.model,
      promptTokens: request.promptTokens,
      outputTokens: 0,
    });
    await this.calls.serve(opened, () =>
      answerMetered(
        opened,
        {
          path: '/embeddings',
          body: request.body,
          promptTokens: request.promptTokens,
          read: (answer) => ({ usage: reportedEmbeddingUsage(answer.usage), outputBytes: 0 }),
        },
        res,
        this.logger,
      ),
    );
  }
}
