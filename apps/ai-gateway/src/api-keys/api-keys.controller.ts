import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyQuery, CreateApiKeyDto, UpdateApiKeyDto } from './dto/create-api-key.dto';

/** Issuing keys gives access to a user's credits: admin token only (the default). */
@Controller('admin/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** A key for the user, with its limits (budget, rpm, tpm, max_parallel, models, expires_at). */
  @Post()
  create(@Body() body: CreateApiKeyDto) {
    return this.keys.create(body);
  }

  @Get()
  list(@Query() query: ApiKeyQuery) {
    return this.keys.list(query.user_id);
  }

  /** The key, its limits, its spend in the current period, what is reserved now, this minute's counts. */
  @Get(':id')
  view(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.keys.view(id);
  }

  /** Changes the limits given (`null` removes one); every replica applies it within a second. */
  @Patch(':id')
  update(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateApiKeyDto) {
    return this.keys.update(id, body);
  }

  @Post(':id/revoke')
  revoke(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.keys.revoke(id);
  }
}
