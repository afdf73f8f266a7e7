import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyQuery, CreateApiKeyDto } from './dto/create-api-key.dto';

/** Issuing keys gives access to a user's credits: admin token only (the default). */
@Controller('admin/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  create(@Body() body: CreateApiKeyDto) {
    return this.keys.create(body);
  }

  @Get()
  list(@Query() query: ApiKeyQuery) {
    return this.keys.list(query.user_id);
  }

  @Post(':id/revoke')
  revoke(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.keys.revoke(id);
  }
}
