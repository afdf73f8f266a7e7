import { Module } from '@nestjs/common';
import { CreditStoreModule } from '../credit-store-api/credit-store.module';
import { HoldsController } from './holds.controller';

@Module({ imports: [CreditStoreModule], controllers: [HoldsController] })
export class HoldsModule {}
