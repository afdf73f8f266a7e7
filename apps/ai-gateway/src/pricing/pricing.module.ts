import { Module } from '@nestjs/common';
import { CreditStoreModule } from '../credit-store-api/credit-store.module';
import { PriceBook } from './price-book';

@Module({ imports: [CreditStoreModule], providers: [PriceBook], exports: [PriceBook] })
export class PricingModule {}
