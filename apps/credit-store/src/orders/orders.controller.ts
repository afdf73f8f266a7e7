import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { RequireToken } from '@tally/platform';
import { CreateOrderDto, OrderPaidDto, OrderRefundDto } from './dto/order.dto';
import { idempotencyKey } from './idempotency-key';
import { OrdersService } from './orders.service';

@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @RequireToken('admin', 'internal')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Optional, 1-128 letters, digits or : . _ -. A retry with the same key answers the order ' +
      'first made with it; the key with another product or quantity is a 409 already_exists.',
  })
  create(@Body() body: CreateOrderDto, @Headers('idempotency-key') key?: string) {
    return this.orders.create(body, idempotencyKey(key));
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

  /** The payment was refunded or charged back: the credits are taken back (admin token only). */
  @Post(':id/refund')
  @HttpCode(200)
  refund(@Param('id') id: string, @Body() body: OrderRefundDto) {
    return this.orders.refund(id, body.payment_ref ?? null, body.reason ?? null);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireToken('admin', 'internal')
  cancel(@Param('id') id: string) {
    return this.orders.cancel(id);
  }
}
