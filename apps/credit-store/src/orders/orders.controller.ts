import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { RequireToken } from '@tally/platform';
import { CreateOrderDto, OrderPaidDto } from './dto/order.dto';
import { OrdersService } from './orders.service';

@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @RequireToken('admin', 'internal')
  create(@Body() body: CreateOrderDto) {
    return this.orders.create(body);
  }

  @Get(':id')
  @RequireToken('admin', 'internal')
  get(@Param('id') id: string) {
    return this.orders.get(id);
  }

  /** The payment callback moves money: admin token only (the default). */
  @Post(':id/paid')
  @HttpCode(200)
  paid(@Param('id') id: string, @Body() body: OrderPaidDto) {
    return this.orders.markPaid(id, body.payment_ref ?? null);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireToken('admin', 'internal')
  cancel(@Param('id') id: string) {
    return this.orders.cancel(id);
  }
}
