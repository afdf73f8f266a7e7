import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { Audited, RequireRole } from '@tally/platform';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyQuery, CreateApiKeyDto, UpdateApiKeyDto } from './dto/create-api-key.dto';

/** Issuing keys gives access to a user's credits: admin only (the default); people may look. */
@Controller('admin/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** A key for the user, with its limits (budget, rpm, tpm, max_parallel, models, expires_at). */
  @Post()
  @Audited('api_key.create', { type: 'account', body: 'user_id' })
  create(@Body() body: CreateApiKeyDto) {
    return this.keys.create(body);
  }

  @Get()
  @RequireRole('finance', 'support')
  list(@Query() query: ApiKeyQuery) {
    return this.keys.list(query.user_id);
  }

  /** The key, its limits, its spend in the current period, what is reserved now, this minute's counts. */
  @Get(':id')
  @RequireRole('finance', 'support')
  view(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.keys.view(id);
  }

  /** Changes the limits given (`null` removes one); every replica applies it within a second. */
  @Patch(':id')
  @Audited('api_key.update', { type: 'api_key', param: 'id' })
  update(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: UpdateApiKeyDto) {
    return this.keys.update(id, body);
  }

  @Post(':id/revoke')
  @Audited('api_key.revoke', { type: 'api_key', param: 'id' })
  revoke(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.keys.revoke(id);
  }
}
