import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { Audited, Public, RequireRole, SerialIdPipe } from '@tally/platform';
import { CreateProductDto, UpdateProductDto } from './dto/product.dto';
import { ProductsService } from './products.service';

/** The public catalogue. */
@Controller('products')
@Public()
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get()
  list() {
    return this.products.list(true);
  }
}

/** Catalogue management: admin writes (the default); finance and support read. */
@Controller('admin/products')
export class AdminProductsController {
  constructor(private readonly products: ProductsService) {}

  @Post()
  @Audited('product.create', { type: 'product', body: 'sku' })
  create(@Body() body: CreateProductDto) {
    return this.products.create(body);
  }

  @Get()
  @RequireRole('finance', 'support')
  list() {
    return this.products.list(false);
  }

  @Patch(':id')
  @Audited('product.update', { type: 'product', param: 'id' })
  update(@Param('id', SerialIdPipe) id: number, @Body() body: UpdateProductDto) {
    return this.products.update(id, body);
  }
}
