import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { MeteringModule } from '../metering/metering.module';
import { ChatCompletionsService } from './chat-completions.service';
import { ChatController } from './chat.controller';
import { ModelsService } from './models.service';

@Module({
  imports: [ApiKeysModule, MeteringModule],
  controllers: [ChatController],
  providers: [ChatCompletionsService, ModelsService],
})
export class ChatModule {}
