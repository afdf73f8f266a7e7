import { Body, Controller, Get, Headers, Post, Req, Res, UseGuards } from '@nestjs/common';
import { DelegatedAuth } from '@tally/platform';
import type { Response } from 'express';
import { ApiKeyGuard, KeyedRequest } from '../api-keys/api-key.guard';
import { anthropicModelList } from '../messages/anthropic-models';
import { ChatCompletionsService } from './chat-completions.service';
import { ModelsService } from './models.service';

/**
 * The OpenAI-compatible client surface; callers authenticate with their API key, and errors
 * come in OpenAI's shape (openAiErrorShape, set up in gateway.app.ts).
 */
@Controller('v1')
@DelegatedAuth()
@UseGuards(ApiKeyGuard)
export class ChatController {
  constructor(
    private readonly completions: ChatCompletionsService,
    private readonly models: ModelsService,
  ) {}

  /** The answer (JSON or an event stream) is written by the service, as the upstream gives it. */
  @Post('chat/completions')
  complete(@Req() req: KeyedRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    return this.completions.complete(req.apiKey, body, res);
  }

  /** The OpenAI upstreams' models; Anthropic's, in its list shape, when asked with `anthropic-version`. */
  @Get('models')
  async list(@Headers('anthropic-version') anthropicVersion?: string) {
    return anthropicVersion
      ? anthropicModelList(await this.models.list('anthropic'))
      : this.models.list();
  }
}
