import { Module } from '@nestjs/common';
import { CreditStoreClient } from './credit-store.client';

@Module({ providers: [CreditStoreClient], exports: [CreditStoreClient] })
export class CreditStoreModule {}
