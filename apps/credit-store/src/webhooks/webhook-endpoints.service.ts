import { Injectable } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { AuditTrail, DomainError, uuidv7 } from '@tally/platform';
import { DataSource, EntityManager } from 'typeorm';
import { CreditStoreConfig } from '../config/credit-store.config';
import type {
  CreateWebhookEndpointDto,
  UpdateWebhookEndpointDto,
  WebhookDeliveriesQuery,
} from './dto/webhook-endpoint.dto';
import { DeliveryView, WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookDeliveryWorker } from './webhook-delivery.worker';
import {
  ALL_EVENTS,
  endpointView,
  TEST_EVENT_TYPE,
  WebhookEndpointRow,
  WebhookEndpointView,
} from './webhook-endpoint';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import { newWebhookSecret } from './webhook-signature';
import { WebhookSettings, webhookSettingsOf } from './webhook-settings';
import { checkWebhookUrl } from './webhook-url';

/** How long the secret before a rotation keeps signing beside the new one. */
const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

/** Webhook endpoints (admin): their settings, secrets, test sends and deliveries. */
@Injectable()
export class WebhookEndpointsService {
  private readonly settings: WebhookSettings;

  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly worker: WebhookDeliveryWorker,
    private readonly trail: AuditTrail,
    config: CreditStoreConfig,
  ) {
    this.settings = webhookSettingsOf(config);
  }

  /** The secret is in this answer and in no other. */
  async create(body: CreateWebhookEndpointDto): Promise<WebhookEndpointView & { secret: string }> {
    const events = checkEvents(body.events);
    const url = await checkWebhookUrl(body.url, this.settings);
    return this.dataSource.transaction(async (db) => {
      const row = await this.endpoints.insert(db, {
        id: uuidv7(),
        url,
        events,
        description: body.description ?? null,
        secret: newWebhookSecret(),
      });
      const view = endpointView(row);
      this.trail.note({ targetId: row.id, after: view });
      return { ...view, secret: row.secret };
    });
  }

  async list(): Promise<WebhookEndpointView[]> {
    return (await this.endpoints.list(this.dataSource.manager)).map(endpointView);
  }

  async get(id: string): Promise<WebhookEndpointView> {
    return endpointView(await this.existing(this.dataSource.manager, id));
  }

  async update(id: string, change: UpdateWebhookEndpointDto): Promise<WebhookEndpointView> {
    const events = change.events && checkEvents(change.events);
    const url =
      change.url === undefined ? undefined : await checkWebhookUrl(change.url, this.settings);
    return this.dataSource.transaction(async (db) => {
      const before = endpointView(await this.existing(db, id, true));
      const after = endpointView(
        await this.endpoints.update(db, id, { url, events, enabled: change.enabled }),
      );
      this.trail.note({ before, after });
      if (after.enabled) this.worker.wake();
      return after;
    });
  }

  async remove(id: string): Promise<void> {
    await this.dataSource.transaction(async (db) => {
      const before = endpointView(await this.existing(db, id, true));
      await this.endpoints.remove(db, id);
      this.trail.note({ before });
    });
  }

  /** A new secret, answered this once; the old one signs beside it for 24 hours. */
  async rotateSecret(
    id: string,
  ): Promise<{ id: string; secret: string; previous_secret_until: string }> {
    return this.dataSource.transaction(async (db) => {
      await this.existing(db, id, true);
      const until = new Date(Date.now() + ROTATION_OVERLAP_MS);
      const row = await this.endpoints.rotate(db, id, newWebhookSecret(), until);
      this.trail.note({ after: { previous_secret_until: until.toISOString() } });
      return { id, secret: row.secret, previous_secret_until: until.toISOString() };
    });
  }

  /** Queues a `webhook.test` event for this endpoint alone. */
  async sendTest(id: string): Promise<{ delivery_id: string; event_id: string }> {
    const result = await this.dataSource.transaction(async (db) => {
      const endpoint = await this.existing(db, id);
      if (!endpoint.enabled) throw disabled(id);
      const event_id = uuidv7();
      const body = JSON.stringify({
        id: event_id,
        type: TEST_EVENT_TYPE,
        occurred_at: new Date().toISOString(),
        data: { endpoint_id: id },
      });
      const delivery_id = await this.deliveries.insertOne(db, {
        event_id,
        event_type: TEST_EVENT_TYPE,
        endpoint_id: id,
        body,
      });
      this.trail.note({ after: { delivery_id, event_id } });
      return { delivery_id, event_id };
    });
    this.worker.wake();
    return result;
  }

  async deliveriesOf(
    id: string,
    query: WebhookDeliveriesQuery,
  ): Promise<{ items: DeliveryView[]; next_cursor: string | null }> {
    const db = this.dataSource.manager;
    await this.existing(db, id);
    const limit = query.limit ?? 50;
    const items = await this.deliveries.listForEndpoint(db, id, { limit, before: query.cursor });
    return { items, next_cursor: items.length === limit ? items[items.length - 1].id : null };
  }

  /** The same delivery (same event id) due again at once, with a fresh retry schedule. */
  async redeliver(deliveryId: string): Promise<{ id: string; status: 'pending' }> {
    if (!/^\d{1,18}$/.test(deliveryId)) throw deliveryNotFound(deliveryId);
    await this.dataSource.transaction(async (db) => {
      const endpoint = await this.deliveries.endpointOf(db, deliveryId);
      if (!endpoint) throw deliveryNotFound(deliveryId);
      if (!endpoint.enabled) throw disabled(endpoint.id);
      await this.deliveries.redeliver(db, deliveryId);
      this.trail.note({ targetId: deliveryId, after: { status: 'pending' } });
    });
    this.worker.wake();
    return { id: deliveryId, status: 'pending' };
  }

  private async existing(db: EntityManager, id: string, lock = false): Promise<WebhookEndpointRow> {
    const row = /^[0-9a-f-]{36}$/.test(id) ? await this.endpoints.find(db, id, lock) : undefined;
    if (!row) throw new DomainError(ErrorCode.NotFound, `no webhook endpoint ${id}`);
    return row;
  }
}

/** `["*"]` stands alone: every type, present and future. */
function checkEvents(events: string[]): string[] {
  if (events.includes(ALL_EVENTS) && events.length > 1) {
    throw new DomainError(ErrorCode.ValidationFailed, 'events: "*" must stand alone', [
      'events: "*" must stand alone',
    ]);
  }
  return events;
}

function disabled(id: string): DomainError {
  return new DomainError(
    ErrorCode.EndpointDisabled,
    `webhook endpoint ${id} is disabled: enable it first (PATCH enabled: true)`,
  );
}

function deliveryNotFound(id: string): DomainError {
  return new DomainError(ErrorCode.NotFound, `no webhook delivery ${id}`);
}
