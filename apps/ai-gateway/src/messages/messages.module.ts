import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { MeteringModule } from '../metering/metering.module';
import { AnthropicKeyGuard } from './anthropic-key.guard';
import { MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';

@Module({
  imports: [ApiKeysModule, MeteringModule],
  controllers: [MessagesController],
  providers: [AnthropicKeyGuard, MessagesService],
})
export class MessagesModule {}
