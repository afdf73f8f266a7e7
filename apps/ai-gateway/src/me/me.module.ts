import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { CreditStoreModule } from '../credit-store-api/credit-store.module';
import { MeController } from './me.controller';
import { MeService } from './me.service';

@Module({
  imports: [ApiKeysModule, CreditStoreModule],
  controllers: [MeController],
  providers: [MeService],
})
export class MeModule {}
