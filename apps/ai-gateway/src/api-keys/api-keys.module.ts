import { Module } from '@nestjs/common';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ApiKeyCache } from './api-key-cache';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { KeyClock } from './key-clock';
import { KeyMinuteSweeper } from './key-minute-sweeper';

@Module({
  controllers: [ApiKeysController],
  providers: [
    ApiKeyRepository,
    ApiKeysService,
    ApiKeyAuthenticator,
    ApiKeyGuard,
    ApiKeyCache,
    KeyClock,
    KeyMinuteSweeper,
  ],
  exports: [ApiKeysService, ApiKeyAuthenticator, ApiKeyGuard, KeyClock],
})
export class ApiKeysModule {}
