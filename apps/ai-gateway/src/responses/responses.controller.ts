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

  /**
   * OpenAI's Responses API, as JSON or as its typed event stream, charged by the usage it reports;
   * `background`, hosted tools and `conversation` are refused (400): they cannot be metered.
   */
  @Post()
  create(@Req() req: KeyedRequest, @Body() body: unknown, @Res() res: Response): Promise<void> {
    return this.responses.create(req.apiKey, body, res);
  }

  /** A stored response, to the key that created it; to any other key it does not exist (404). */
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
