import { Webhook } from 'standardwebhooks';
import { AccountEvent } from '@tally/contracts';
import { sendWebhook } from '../apps/credit-store/src/webhooks/webhook-sender';
import { RunningApp, startCreditStore } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { connect, rows, scalar } from './support/db';
import { call } from './support/http';
import { giftGrant } from './support/ledger-calls';
import { WebhookReceiver } from './support/webhook-receiver';
import { eventually, unique } from './support/wait';
import type { DataSource } from 'typeorm';

interface Endpoint {
  id: string;
  url: string;
  events: string[];
  secret: string;
  enabled: boolean;
  disabled_reason: string | null;
}
interface Delivery {
  id: string;
  event_id: string;
  type: string;
  status: string;
  attempts: { status_code: number | null; error: string | null; duration_ms: number; at: string }[];
}

const headersOf = (r: { headers: Record<string, unknown> }) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

/**
 * Signed webhooks end to end: account events fanned out to endpoints, sent by Standard Webhooks
 * 1.0 and verified with the `standardwebhooks` package, retried on the schedule, 410, redelivery,
 * a hanging endpoint measured against another endpoint and the ledger, and SSRF refusals.
 */
describe('webhooks', () => {
  /** Creation checks on a credit-store with the default SSRF settings (no allowlist). */
  describe('SSRF at creation (no allowlist)', () => {
    let strict: RunningApp;
    const receiver = new WebhookReceiver();
    let port: string;

    beforeAll(async () => {
      strict = await startCreditStore({ JOB_INTERVAL_SECONDS: '0', WEBHOOK_ALLOW_HTTP: 'true' });
      port = new URL(await receiver.start()).port;
    });
    afterAll(async () => {
      await strict?.close();
      await receiver.close();
    });

    it.each([
      ['127.0.0.1', () => `http://127.0.0.1:${port}/hook`],
      ['10.0.0.1', () => 'https://10.0.0.1/hook'],
      ['169.254.169.254 (metadata)', () => 'http://169.254.169.254/latest/meta-data'],
      ['a name resolving to 127.0.0.1', () => `http://localhost:${port}/hook`],
      ['[::1]', () => `http://[::1]:${port}/hook`],
      ['100.64.0.1 (CGNAT)', () => 'https://100.64.0.1/hook'],
    ])('refuses %s with 400 naming url, and sends nothing', async (_, url) => {
      const answer = await call<{ code: string; details: string[] }>(
        'POST',
        `${strict.url}/admin/webhook-endpoints`,
        { body: { url: url(), events: ['*'] } },
      );
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('validation_failed');
      expect(answer.body.details.join()).toMatch(/^url: .*loopback, private or link-local/);
      expect(receiver.received).toHaveLength(0);
    });

    it('checks again when sending: a name that resolves to a private address is not connected to', async () => {
      const outcome = await sendWebhook(
        { url: `http://localhost:${port}/hook`, headers: {}, body: '{}' },
        {
          timeoutMs: 2000,
          retryDelaysMs: [],
          allowHttp: true,
          allowedHosts: new Set(['127.0.0.1']),
          concurrency: 1,
          endpointConcurrency: 1,
          pollMs: 100,
        },
        new AbortController().signal,
      );
      expect(outcome.status_code).toBeNull();
      expect(outcome.error).toMatch(/^refused: localhost resolves to /);
      expect(receiver.received).toHaveLength(0);
    });
  });

  describe('delivery', () => {
    let app: RunningApp;
    let db: DataSource;
    const receivers: WebhookReceiver[] = [];
    const endpoints: string[] = [];

    beforeAll(async () => {
      app = await startCreditStore({
        JOB_INTERVAL_SECONDS: '0',
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        WEBHOOK_RETRY_SCHEDULE: '0.2,0.2',
        WEBHOOK_TIMEOUT_MS: '8000',
        WEBHOOK_POLL_MS: '100',
        WEBHOOK_ENDPOINT_CONCURRENCY: '2',
      });
      db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
    });
    afterEach(async () => {
      // Each test's endpoints go, with their deliveries: the next test starts from none.
      for (const id of endpoints.splice(0)) {
        await call('DELETE', `${app.url}/admin/webhook-endpoints/${id}`);
      }
      for (const receiver of receivers.splice(0)) await receiver.close();
    });
    afterAll(async () => {
      await db?.destroy();
      await app?.close();
    });

    const receiverOf = async (behaviour?: ConstructorParameters<typeof WebhookReceiver>[0]) => {
      const receiver = new WebhookReceiver(behaviour);
      receivers.push(receiver);
      return { receiver, url: await receiver.start() };
    };
    const endpointFor = async (url: string, events: string[] = ['grant.created']) => {
      const answer = await call<Endpoint>('POST', `${app.url}/admin/webhook-endpoints`, {
        body: { url, events, description: 'test' },
      });
      expect(answer.status).toBe(201);
      endpoints.push(answer.body.id);
      return answer.body;
    };
    const deliveriesOf = async (endpoint: string) => {
      const answer = await call<{ items: Delivery[] }>(
        'GET',
        `${app.url}/admin/webhook-endpoints/${endpoint}/deliveries`,
      );
      expect(answer.status).toBe(200);
      return answer.body.items;
    };
    const grantsOf = (user: string) => (event: { type: string; user_id?: string }) =>
      event.type === 'grant.created' && event.user_id === user;

    it('answers the secret once: whsec_, then never in GET, list or the audit trail', async () => {
      const { url } = await receiverOf();
      const endpoint = await endpointFor(url, ['*']);
      expect(endpoint).toMatchObject({ url, events: ['*'], enabled: true });
      expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
      const one = await call('GET', `${app.url}/admin/webhook-endpoints/${endpoint.id}`);
      const list = await call('GET', `${app.url}/admin/webhook-endpoints`);
      expect(one.body).toMatchObject({ id: endpoint.id, url, events: ['*'], enabled: true });
      const secretBytes = endpoint.secret.slice(6);
      for (const body of [one.body, list.body]) {
        expect(JSON.stringify(body)).not.toContain(secretBytes);
        expect(body).not.toHaveProperty('secret');
      }
      const audit = await rows<{ action: string; after: unknown }>(
        db,
        `SELECT action, after FROM audit_records WHERE target_id = $1`,
        [endpoint.id],
      );
      expect(audit.map((r) => r.action)).toEqual(['webhook_endpoint.create']);
      expect(JSON.stringify(audit)).not.toContain(secretBytes);
    });

    it('a receiver failing twice gets the third attempt with the same webhook-id, and it verifies', async () => {
      const { receiver, url } = await receiverOf((n) => (n <= 2 ? 500 : 200));
      const endpoint = await endpointFor(url);
      const user = unique('wh-user');
      const grant = await giftGrant(app.url, user, 50);

      await eventually(() => expect(receiver.about(grantsOf(user))).toHaveLength(3));
      const [first, second, third] = receiver.about(grantsOf(user));
      const event = new Webhook(endpoint.secret).verify(
        third.body,
        headersOf(third),
      ) as AccountEvent;
      expect(event).toMatchObject({
        type: 'grant.created',
        user_id: user,
        data: { event_id: grant },
      });
      expect([first, second, third].map((r) => r.headers['webhook-id'])).toEqual([
        event.id,
        event.id,
        event.id,
      ]);
      expect(first.body).toBe(third.body);
      // The schedule's 0.2 s between attempts.
      expect(second.at - first.at).toBeGreaterThanOrEqual(190);
      expect(third.at - second.at).toBeGreaterThanOrEqual(190);

      await eventually(async () => {
        const [delivery] = await deliveriesOf(endpoint.id);
        expect(delivery).toMatchObject({
          event_id: event.id,
          type: 'grant.created',
          status: 'delivered',
        });
        expect(delivery.attempts.map((a) => a.status_code)).toEqual([500, 500, 200]);
        expect(
          delivery.attempts.every((a) => a.duration_ms >= 0 && !Number.isNaN(Date.parse(a.at))),
        ).toBe(true);
      });
    });

    it('during a rotation both secrets sign: two v1 signatures, each secret alone verifies', async () => {
      const { receiver, url } = await receiverOf();
      const endpoint = await endpointFor(url);
      const rotated = await call<{ secret: string; previous_secret_until: string }>(
        'POST',
        `${app.url}/admin/webhook-endpoints/${endpoint.id}/rotate-secret`,
      );
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).not.toBe(endpoint.secret);
      const overlap = Date.parse(rotated.body.previous_secret_until) - Date.now();
      expect(overlap).toBeGreaterThan(23.9 * 3600_000);
      expect(overlap).toBeLessThanOrEqual(24 * 3600_000);

      const test = await call<{ event_id: string }>(
        'POST',
        `${app.url}/admin/webhook-endpoints/${endpoint.id}/test`,
      );
      expect(test.status).toBe(202);
      await eventually(() => expect(receiver.received).toHaveLength(1));
      const [request] = receiver.received;
      const headers = headersOf(request);
      expect(headers['webhook-id']).toBe(test.body.event_id);
      expect(headers['webhook-signature'].split(' ').map((s) => s.slice(0, 3))).toEqual([
        'v1,',
        'v1,',
      ]);
      for (const secret of [endpoint.secret, rotated.body.secret]) {
        expect(new Webhook(secret).verify(request.body, headers)).toMatchObject({
          id: test.body.event_id,
          type: 'webhook.test',
        });
      }
      const stranger = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
      expect(() => new Webhook(stranger).verify(request.body, headers)).toThrow();
    });

    it('an endpoint that hangs delays neither another endpoint nor the ledger (measured)', async () => {
      const hanging = await receiverOf(() => 'hang');
      const healthy = await receiverOf();
      await endpointFor(hanging.url);
      await endpointFor(healthy.url);
      const users = Array.from({ length: 8 }, () => unique('wh-hang'));
      const latencies: number[] = [];
      for (const user of users) {
        const granted = Date.now();
        await giftGrant(app.url, user, 100);
        await eventually(() => expect(healthy.receiver.about(grantsOf(user))).toHaveLength(1), {
          timeoutMs: 7000,
          intervalMs: 20,
        });
        latencies.push(healthy.receiver.about(grantsOf(user))[0].at - granted);
      }
      // The hanging endpoint holds its 2 slots, unanswered, the whole time.
      expect(hanging.receiver.received.length).toBe(2);

      const charge = chargeEvent(users[0], 10);
      const produced = Date.now();
      await produceCharges(charge);
      await eventually(
        async () =>
          expect((await call('GET', `${app.url}/ledger/${charge.event_id}`)).status).toBe(200),
        { intervalMs: 20 },
      );
      const ledgerMs = Date.now() - produced;

      expect(Math.max(...latencies)).toBeLessThan(2000);
      expect(ledgerMs).toBeLessThan(3000);
      expect(hanging.receiver.received.length).toBe(2);
    });

    it('410 Gone disables the endpoint: the delivery fails, a test is refused 409', async () => {
      const { receiver, url } = await receiverOf(() => 410);
      const endpoint = await endpointFor(url);
      await call('POST', `${app.url}/admin/webhook-endpoints/${endpoint.id}/test`);
      await eventually(async () => {
        const now = await call<Endpoint>(
          'GET',
          `${app.url}/admin/webhook-endpoints/${endpoint.id}`,
        );
        expect(now.body.enabled).toBe(false);
        expect(now.body.disabled_reason).toMatch(/410/);
      });
      const [delivery] = await deliveriesOf(endpoint.id);
      expect(delivery.status).toBe('failed');
      expect(delivery.attempts.map((a) => a.status_code)).toEqual([410]);
      const again = await call<{ code: string }>(
        'POST',
        `${app.url}/admin/webhook-endpoints/${endpoint.id}/test`,
      );
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('endpoint_disabled');
      const user = unique('wh-gone');
      await giftGrant(app.url, user, 5);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(receiver.received).toHaveLength(1);
    });

    it('after the last retry the delivery is failed; redelivered, it goes again as one row', async () => {
      let answer = 503;
      const { receiver, url } = await receiverOf(() => answer);
      const endpoint = await endpointFor(url);
      const user = unique('wh-redeliver');
      await giftGrant(app.url, user, 5);
      let delivery!: Delivery;
      await eventually(async () => {
        [delivery] = await deliveriesOf(endpoint.id);
        expect(delivery.status).toBe('failed');
      });
      expect(delivery.attempts.map((a) => a.status_code)).toEqual([503, 503, 503]);

      answer = 200;
      const redelivered = await call(
        'POST',
        `${app.url}/admin/webhook-deliveries/${delivery.id}/redeliver`,
      );
      expect(redelivered.status).toBe(202);
      await eventually(async () => {
        const [now] = await deliveriesOf(endpoint.id);
        expect(now.status).toBe('delivered');
        expect(now.attempts.map((a) => a.status_code)).toEqual([503, 503, 503, 200]);
      });
      const sent = receiver.about(grantsOf(user));
      expect(new Set(sent.map((r) => r.headers['webhook-id']))).toEqual(
        new Set([delivery.event_id]),
      );

      // The fan-out run again over the same event adds no second delivery.
      await db.query(`UPDATE account_events SET webhooks_at = NULL WHERE id = $1`, [
        delivery.event_id,
      ]);
      await eventually(async () =>
        expect(
          await scalar(
            db,
            `SELECT count(*) FROM account_events WHERE id = $1 AND webhooks_at IS NULL`,
            [delivery.event_id],
          ),
        ).toBe(0),
      );
      expect(
        await scalar(db, `SELECT count(*) FROM webhook_deliveries WHERE event_id = $1`, [
          delivery.event_id,
        ]),
      ).toBe(1);
      const actions = await rows<{ action: string }>(
        db,
        // A delivery's id is a number a price rule or an order may have too.
        `SELECT action FROM audit_records WHERE target_id = $1 AND action LIKE 'webhook_%'`,
        [delivery.id],
      );
      expect(actions.map((a) => a.action)).toEqual(['webhook_delivery.redeliver']);
    });

    it('PATCH changes url, events and enabled; DELETE removes it; each write audited', async () => {
      const { url } = await receiverOf();
      const endpoint = await endpointFor(url);
      const other = await receiverOf();
      const patched = await call<Endpoint>(
        'PATCH',
        `${app.url}/admin/webhook-endpoints/${endpoint.id}`,
        {
          body: { url: other.url, events: ['order.paid', 'balance.low'], enabled: false },
        },
      );
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({
        url: other.url,
        events: ['order.paid', 'balance.low'],
        enabled: false,
      });
      const enabled = await call<Endpoint>(
        'PATCH',
        `${app.url}/admin/webhook-endpoints/${endpoint.id}`,
        {
          body: { enabled: true },
        },
      );
      expect(enabled.body).toMatchObject({ enabled: true, disabled_reason: null });
      expect(
        (await call('DELETE', `${app.url}/admin/webhook-endpoints/${endpoint.id}`)).status,
      ).toBe(204);
      expect((await call('GET', `${app.url}/admin/webhook-endpoints/${endpoint.id}`)).status).toBe(
        404,
      );
      const actions = await rows<{ action: string }>(
        db,
        `SELECT action FROM audit_records WHERE target_id = $1 ORDER BY at`,
        [endpoint.id],
      );
      expect(actions.map((a) => a.action)).toEqual([
        'webhook_endpoint.create',
        'webhook_endpoint.update',
        'webhook_endpoint.update',
        'webhook_endpoint.delete',
      ]);
    });

    it.each([
      ['url missing', { events: ['*'] }, 'url'],
      ['url not a URL', { url: 'not a url', events: ['*'] }, 'url'],
      ['url ftp:', { url: 'ftp://127.0.0.1/x', events: ['*'] }, 'url'],
      ['url with credentials', { url: 'http://u:p@127.0.0.1/x', events: ['*'] }, 'url'],
      ['events missing', { url: 'http://127.0.0.1/x' }, 'events'],
      ['events empty', { url: 'http://127.0.0.1/x', events: [] }, 'events'],
      ['an unknown event type', { url: 'http://127.0.0.1/x', events: ['grant.made'] }, 'events'],
      [
        '"*" beside a type',
        { url: 'http://127.0.0.1/x', events: ['*', 'grant.created'] },
        'events',
      ],
      [
        'description too long',
        { url: 'http://127.0.0.1/x', events: ['*'], description: 'x'.repeat(501) },
        'description',
      ],
      [
        'an unknown field',
        { url: 'http://127.0.0.1/x', events: ['*'], secret: 'whsec_x' },
        'secret',
      ],
    ])('refuses %s with 400 naming the field, creating nothing', async (_, body, field) => {
      const before = await scalar(db, `SELECT count(*) FROM webhook_endpoints`);
      const answer = await call<{ details: string[] }>(
        'POST',
        `${app.url}/admin/webhook-endpoints`,
        { body },
      );
      expect(answer.status).toBe(400);
      expect(answer.body.details.join('\n')).toMatch(new RegExp(`^${field}\\b`, 'm'));
      expect(await scalar(db, `SELECT count(*) FROM webhook_endpoints`)).toBe(before);
    });

    it('refuses a bad PATCH, unknown ids and deliveries with 400/404', async () => {
      const { url } = await receiverOf();
      const endpoint = await endpointFor(url);
      const path = `${app.url}/admin/webhook-endpoints/${endpoint.id}`;
      const bad = await call<{ details: string[] }>('PATCH', path, { body: { enabled: 'yes' } });
      expect(bad.status).toBe(400);
      expect(bad.body.details.join()).toMatch(/^enabled/);
      const badUrl = await call<{ details: string[] }>('PATCH', path, {
        body: { url: 'http://10.0.0.1/x' },
      });
      expect(badUrl.status).toBe(400);
      expect(badUrl.body.details.join()).toMatch(/^url/);
      expect((await call<Endpoint>('GET', path)).body.url).toBe(url);
      const unknown = '0190c0de-0000-7000-8000-000000000000';
      for (const [method, target] of [
        ['GET', `/admin/webhook-endpoints/${unknown}`],
        ['GET', '/admin/webhook-endpoints/not-an-id'],
        ['PATCH', `/admin/webhook-endpoints/${unknown}`],
        ['POST', `/admin/webhook-endpoints/${unknown}/test`],
        ['POST', `/admin/webhook-endpoints/${unknown}/rotate-secret`],
        ['GET', `/admin/webhook-endpoints/${unknown}/deliveries`],
        ['POST', '/admin/webhook-deliveries/999999999/redeliver'],
        ['POST', '/admin/webhook-deliveries/abc/redeliver'],
      ]) {
        const answer = await call(
          method,
          `${app.url}${target}`,
          method === 'PATCH' ? { body: {} } : {},
        );
        expect(`${method} ${target}: ${answer.status}`).toBe(`${method} ${target}: 404`);
      }
      const limit = await call<{ details: string[] }>('GET', `${path}/deliveries?limit=0`);
      expect(limit.status).toBe(400);
      expect(limit.body.details.join()).toMatch(/^limit/);
    });
  });
});
