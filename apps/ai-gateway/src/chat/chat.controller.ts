import { Body, Controller, Post, Req, Res, UseGuards } from '@nestjs/common';
import { DelegatedAuth } from '@tally/platform';
import type { Response } from 'express';
import { ApiKeyGuard, KeyedRequest } from '../api-keys/api-key.guard';
import { ChatCompletionsService } from './chat-completions.service';

/**
 * The OpenAI-compatible client surface; callers authenticate with their API key, and errors
 * come in OpenAI's shape (openAiErrorShape, set up in gateway.app.ts).
 */
@Controller('v1')
@DelegatedAuth()
@UseGuards(ApiKeyGuard)
export class ChatController {
  constructor(private readonly completions: ChatCompletionsService) {}

  /** The answer (JSON or an event stream) is written by the service, as the upstream gives it. */
  @Post('chat/completions')
  complete(@Req() req: KeyedRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    return this.completions.complete(req.apiKey, body, res);
  }
}
