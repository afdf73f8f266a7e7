import { Body, Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import { DelegatedAuth } from '@tally/platform';
import type { Response } from 'express';
import { ApiKeyGuard, KeyedRequest } from '../api-keys/api-key.guard';
import { EmbeddingsService } from './embeddings.service';

/** OpenAI's embeddings for API-key clients; errors in OpenAI's shape (openAiErrorShape). */
@Controller('v1/embeddings')
@DelegatedAuth()
@UseGuards(ApiKeyGuard)
export class EmbeddingsController {
  constructor(private readonly embeddings: EmbeddingsService) {}

  /** OpenAI's embeddings, charged on `usage.prompt_tokens` by the price rules of scene `embedding`. */
  @Post()
  create(@Req() req: KeyedRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    return this.embeddings.create(req.apiKey, body, res);
  }
}
