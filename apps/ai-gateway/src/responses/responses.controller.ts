import { Body, Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DelegatedAuth, DomainError } from '@tally/platform';
import type { Response } from 'express';
import { ApiKeyGuard, KeyedRequest } from '../api-keys/api-key.guard';
import { ResponsesService } from './responses.service';

/** OpenAI's Responses API for API-key clients; errors in OpenAI's shape (openAiErrorShape). */
@Controller('v1/responses')
@DelegatedAuth()
@UseGuards(ApiKeyGuard)
export class ResponsesController {
  constructor(private readonly responses: ResponsesService) {}

  /** The answer (JSON or an event stream) is written by the service, as the upstream gives it. */
  @Post()
  create(@Req() req: KeyedRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    return this.responses.create(req.apiKey, body, res);
  }

  @Get(':id')
  retrieve(
    @Req() req: KeyedRequest,
    @Param('id') id: string,
    @Query('stream') stream: unknown,
    @Res() res: Response,
  ): Promise<void> {
    if (stream !== undefined && stream !== 'false') {
      const reason = 'stream: replaying a stored response as a stream is not supported';
      throw new DomainError(ErrorCode.ValidationFailed, reason, [reason]);
    }
    return this.responses.retrieve(req.apiKey, id, res);
  }
}
