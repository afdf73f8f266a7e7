import { Module } from '@nestjs/common';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import {
  WebhookDeliveriesController,
  WebhookEndpointsController,
} from './webhook-endpoints.controller';
import { WebhookEndpointsService } from './webhook-endpoints.service';
import { WebhookFanOutService } from './webhook-fan-out.service';

/** Signed webhooks: endpoints, the fan-out of account events, and the delivery queue's sender. */
@Module({
  controllers: [WebhookEndpointsController, WebhookDeliveriesController],
  providers: [
    WebhookEndpointRepository,
    WebhookDeliveryRepository,
    WebhookEndpointsService,
    WebhookDeliveryWorker,
    WebhookFanOutService,
  ],
})
export class WebhooksModule {}
