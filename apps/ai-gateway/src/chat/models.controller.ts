import { Controller, Get, Headers, Req, UseGuards } from '@nestjs/common';
import { DelegatedAuth } from '@tally/platform';
import type { KeyedRequest } from '../api-keys/api-key.guard';
import { anthropicModelList } from '../messages/anthropic-models';
import { AnthropicKeyGuard } from '../messages/anthropic-key.guard';
import { ModelsService } from './models.service';

/**
 * `GET /v1/models`, asked by OpenAI's clients (Bearer) and Anthropic's (`x-api-key` or Bearer,
 * with `anthropic-version`): each gets its API's models in its list shape.
 */
@Controller('v1')
@DelegatedAuth()
@UseGuards(AnthropicKeyGuard)
export class ModelsController {
  constructor(private readonly models: ModelsService) {}

  /** The OpenAI upstreams' models the key may call; Anthropic's, in its list shape, when asked with `anthropic-version`. */
  @Get('models')
  async list(@Req() req: KeyedRequest, @Headers('anthropic-version') anthropicVersion?: string) {
    return anthropicVersion
      ? anthropicModelList(await this.models.list('anthropic', req.apiKey))
      : this.models.list('openai', req.apiKey);
  }
}
