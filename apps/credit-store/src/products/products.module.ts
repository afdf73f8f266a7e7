import { Module } from '@nestjs/common';
import { ProductRepository } from './product.repository';
import { AdminProductsController, ProductsController } from './products.controller';
import { ProductsService } from './products.service';

@Module({
  controllers: [ProductsController, AdminProductsController],
  providers: [ProductRepository, ProductsService],
  exports: [ProductsService],
})
export class ProductsModule {}
