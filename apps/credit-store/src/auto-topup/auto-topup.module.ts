import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module';
import { OrdersModule } from '../orders/orders.module';
import { ProductsModule } from '../products/products.module';
import { AutoTopupSettingsService } from './auto-topup-settings.service';
import { AutoTopupController } from './auto-topup.controller';
import { AutoTopupRepository } from './auto-topup.repository';
import { AutoTopupWatcher } from './auto-topup.watcher';

@Module({
  imports: [LedgerModule, OrdersModule, ProductsModule],
  controllers: [AutoTopupController],
  providers: [AutoTopupRepository, AutoTopupSettingsService, AutoTopupWatcher],
})
export class AutoTopupModule {}
