/** A webhook endpoint as stored (its secrets included: never answered but at creation). */
export interface WebhookEndpointRow {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  secret: string;
  previous_secret: string | null;
  previous_secret_until: Date | null;
  enabled: boolean;
  disabled_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

/** What GET answers of an endpoint: everything but its secrets. */
export interface WebhookEndpointView {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  enabled: boolean;
  disabled_reason: string | null;
  /** While a rotation lasts, the old secret signs too, until then. */
  previous_secret_until: string | null;
  created_at: string;
  updated_at: string;
}

export function endpointView(row: WebhookEndpointRow): WebhookEndpointView {
  const rotating = row.previous_secret_until && row.previous_secret_until.getTime() > Date.now();
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    enabled: row.enabled,
    disabled_reason: row.disabled_reason,
    previous_secret_until: rotating ? row.previous_secret_until!.toISOString() : null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

/** The secrets that sign now: the current one, and the previous one during a rotation. */
export function signingSecrets(
  row: Pick<WebhookEndpointRow, 'secret' | 'previous_secret' | 'previous_secret_until'>,
  now = Date.now(),
): string[] {
  const previous =
    row.previous_secret && row.previous_secret_until && row.previous_secret_until.getTime() > now
      ? [row.previous_secret]
      : [];
  return [row.secret, ...previous];
}

/** `["*"]`: every event type; else the types listed. */
export const ALL_EVENTS = '*';

/** The test event an admin sends to an endpoint (POST .../test): not an account event. */
export const TEST_EVENT_TYPE = 'webhook.test';
