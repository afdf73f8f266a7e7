import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Audited, RequireRole } from '@tally/platform';
import {
  CreateWebhookEndpointDto,
  UpdateWebhookEndpointDto,
  WebhookDeliveriesQuery,
} from './dto/webhook-endpoint.dto';
import { WebhookEndpointsService } from './webhook-endpoints.service';

/** Where account events are sent: admin writes (the default), finance reads. */
@Controller('admin/webhook-endpoints')
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  /** The answer carries the signing secret, this once. */
  @Post()
  @Audited('webhook_endpoint.create', { type: 'webhook_endpoint' })
  create(@Body() body: CreateWebhookEndpointDto) {
    return this.endpoints.create(body);
  }

  @Get()
  @RequireRole('finance')
  list() {
    return this.endpoints.list();
  }

  @Get(':id')
  @RequireRole('finance')
  get(@Param('id') id: string) {
    return this.endpoints.get(id);
  }

  @Patch(':id')
  @Audited('webhook_endpoint.update', { type: 'webhook_endpoint', param: 'id' })
  update(@Param('id') id: string, @Body() body: UpdateWebhookEndpointDto) {
    return this.endpoints.update(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @Audited('webhook_endpoint.delete', { type: 'webhook_endpoint', param: 'id' })
  async remove(@Param('id') id: string): Promise<void> {
    await this.endpoints.remove(id);
  }

  /** A new secret (answered this once); for 24 hours the old one signs too. */
  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Audited('webhook_endpoint.rotate_secret', { type: 'webhook_endpoint', param: 'id' })
  rotateSecret(@Param('id') id: string) {
    return this.endpoints.rotateSecret(id);
  }

  /** Sends a `webhook.test` event to this endpoint. */
  @Post(':id/test')
  @HttpCode(202)
  @Audited('webhook_endpoint.test', { type: 'webhook_endpoint', param: 'id' })
  test(@Param('id') id: string) {
    return this.endpoints.sendTest(id);
  }

  /** Its deliveries, newest first, each with every attempt. */
  @Get(':id/deliveries')
  @RequireRole('finance')
  deliveries(@Param('id') id: string, @Query() query: WebhookDeliveriesQuery) {
    return this.endpoints.deliveriesOf(id, query);
  }
}

/** A delivery sent again (same event id), admin only. */
@Controller('admin/webhook-deliveries')
export class WebhookDeliveriesController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post(':id/redeliver')
  @HttpCode(202)
  @Audited('webhook_delivery.redeliver', { type: 'webhook_delivery', param: 'id' })
  redeliver(@Param('id') id: string) {
    return this.endpoints.redeliver(id);
  }
}
