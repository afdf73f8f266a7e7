import { Module } from '@nestjs/common';
import { RevenueDayRepository } from './revenue-day.repository';

/** Revenue: the daily totals of value the ledger moves (sales, recognized, breakage, refunds). */
@Module({ providers: [RevenueDayRepository], exports: [RevenueDayRepository] })
export class RevenueStoreModule {}
