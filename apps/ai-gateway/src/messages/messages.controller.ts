import { Body, Controller, HttpCode, Post, Req, Res, UseGuards } from '@nestjs/common';
import { DelegatedAuth } from '@tally/platform';
import type { Response } from 'express';
import type { KeyedRequest } from '../api-keys/api-key.guard';
import { AnthropicKeyGuard } from './anthropic-key.guard';
import { MessagesService } from './messages.service';

/**
 * Anthropic's Messages API; callers authenticate with their Tally key (as `x-api-key` or Bearer),
 * and errors come in Anthropic's shape (anthropicErrorShape, set up in gateway.app.ts).
 */
@Controller('v1/messages')
@DelegatedAuth()
@UseGuards(AnthropicKeyGuard)
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  /**
   * Anthropic's Messages API, metered: max_tokens reserved up front, the answer (JSON or Anthropic's
   * event stream) as the upstream gives it, charged before message_stop; 402 billing_error.
   */
  @Post()
  create(@Req() req: KeyedRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    return this.messages.create(req.apiKey, body, req, res);
  }

  /**
   * Anthropic's token count for a request: free, passed through to the model's upstream (403 for a
   * model the key may not call).
   */
  @Post('count_tokens')
  @HttpCode(200)
  countTokens(
    @Req() req: KeyedRequest,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    return this.messages.countTokens(req.apiKey, body, req, res);
  }
}
