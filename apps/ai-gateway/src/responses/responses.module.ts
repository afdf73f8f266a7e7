import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { MeteringModule } from '../metering/metering.module';
import { ResponsesController } from './responses.controller';
import { ResponsesService } from './responses.service';
import { StoredResponseRepository } from './stored-response.repository';

@Module({
  imports: [ApiKeysModule, MeteringModule],
  controllers: [ResponsesController],
  providers: [ResponsesService, StoredResponseRepository],
})
export class ResponsesModule {}
