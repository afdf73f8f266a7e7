import { Body, Controller, Get, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { Audited, RequireRole } from '@tally/platform';
import { CreateOrderDto, OrderPaidDto, OrderRefundDto } from './dto/order.dto';
import { idempotencyKey } from './idempotency-key';
import { OrdersService } from './orders.service';

@Controller('orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @RequireRole('service')
  @Audited('order.create', { type: 'account', body: 'user_id' })
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
  @RequireRole('service', 'finance', 'support')
  get(@Param('id') id: string) {
    return this.orders.get(id);
  }

  /** The payment callback moves money: admin only (the default). */
  @Post(':id/paid')
  @HttpCode(200)
  @Audited('order.paid', { type: 'order', param: 'id' })
  paid(@Param('id') id: string, @Body() body: OrderPaidDto) {
    return this.orders.markPaid(id, body.payment_ref ?? null);
  }

  /** The payment was refunded or charged back: the credits are taken back (admin, support). */
  @Post(':id/refund')
  @HttpCode(200)
  @RequireRole('support')
  @Audited('order.refund', { type: 'order', param: 'id' })
  refund(@Param('id') id: string, @Body() body: OrderRefundDto) {
    return this.orders.refund(id, body.payment_ref ?? null, body.reason ?? null);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireRole('service')
  @Audited('order.cancel', { type: 'order', param: 'id' })
  cancel(@Param('id') id: string) {
    return this.orders.cancel(id);
  }
}
