import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module';
import { LedgerModule } from '../ledger/ledger.module';
import { ProductsModule } from '../products/products.module';
import { OrderRepository } from './order.repository';
import { OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';

@Module({
  imports: [LedgerModule, GrantsModule, ProductsModule],
  controllers: [OrdersController],
  providers: [OrderRepository, OrdersService],
  exports: [OrdersService],
})
export class OrdersModule {}
