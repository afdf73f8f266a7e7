import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { AnthropicKeyGuard } from '../messages/anthropic-key.guard';
import { MeteringModule } from '../metering/metering.module';
import { ChatCompletionsService } from './chat-completions.service';
import { ChatController } from './chat.controller';
import { ModelsController } from './models.controller';
import { ModelsService } from './models.service';

@Module({
  imports: [ApiKeysModule, MeteringModule],
  controllers: [ChatController, ModelsController],
  providers: [ChatCompletionsService, ModelsService, AnthropicKeyGuard],
})
export class ChatModule {}
