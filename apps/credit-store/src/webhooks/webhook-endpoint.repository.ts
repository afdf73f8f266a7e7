import { runStatement } from '@tally/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { WebhookEndpointRow } from './webhook-endpoint';

const COLUMNS = `id, url, events, description, secret, previous_secret, previous_secret_until,
  enabled, disabled_reason, created_at, updated_at`;

export interface EndpointChange {
  url?: string;
  events?: string[];
  enabled?: boolean;
}

/** Webhook endpoints: where account events are sent, and the secrets that sign them. */
@Injectable()
export class WebhookEndpointRepository {
  async insert(
    db: EntityManager,
    endpoint: Pick<WebhookEndpointRow, 'id' | 'url' | 'events' | 'description' | 'secret'>,
  ): Promise<WebhookEndpointRow> {
    const [row]: WebhookEndpointRow[] = await runStatement(db, {
      text: `INSERT INTO webhook_endpoints (id, url, events, description, secret)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      values: [endpoint.id, endpoint.url, endpoint.events, endpoint.description, endpoint.secret],
    });
    return row;
  }

  list(db: EntityManager): Promise<WebhookEndpointRow[]> {
    return runStatement(db, {
      text: `SELECT ${COLUMNS} FROM webhook_endpoints ORDER BY created_at, id`,
    });
  }

  async find(db: EntityManager, id: string, lock = false): Promise<WebhookEndpointRow | undefined> {
    const rows: WebhookEndpointRow[] = await runStatement(db, {
      text: `SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      values: [id],
    });
    return rows[0];
  }

  /** Enabling again clears why it was disabled. */
  async update(db: EntityManager, id: string, change: EndpointChange): Promise<WebhookEndpointRow> {
    const [row]: WebhookEndpointRow[] = await runStatement(db, {
      text: `UPDATE webhook_endpoints SET
         url = COALESCE($2::text, url),
         events = COALESCE($3::text[], events),
         enabled = COALESCE($4::boolean, enabled),
         disabled_reason = CASE WHEN $4::boolean IS NULL THEN disabled_reason
                                WHEN $4::boolean THEN NULL ELSE 'disabled by an admin' END,
         updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      values: [id, change.url ?? null, change.events ?? null, change.enabled ?? null],
    });
    return row;
  }

  /** The new secret signs from now; the old one too until `previousUntil`. */
  async rotate(
    db: EntityManager,
    id: string,
    secret: string,
    previousUntil: Date,
  ): Promise<WebhookEndpointRow> {
    const [row]: WebhookEndpointRow[] = await runStatement(db, {
      text: `UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_until = $3,
         secret = $2, updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      values: [id, secret, previousUntil],
    });
    return row;
  }

  /** A receiver answered 410 Gone: nothing more goes to it until an admin enables it again. */
  async disable(db: EntityManager, id: string, reason: string): Promise<void> {
    await runStatement(db, {
      text: `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now()
       WHERE id = $1`,
      values: [id, reason],
    });
  }

  /** With its deliveries and their attempts. */
  async remove(db: EntityManager, id: string): Promise<void> {
    await runStatement(db, { text: `DELETE FROM webhook_endpoints WHERE id = $1`, values: [id] });
  }
}
