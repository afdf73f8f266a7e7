import { Topics } from '@tally/contracts';
import { OutboxRelay } from '../apps/ai-gateway/src/outbox/outbox-relay';
import { RunningApp, startCreditStore, startGateway } from './support/apps';
import { chargeEvent, produceCharges } from './support/charge-events';
import { call } from './support/http';
import { produce } from './support/kafka-helpers';
import { scrape, total } from './support/metrics';
import { eventually, unique } from './support/wait';

describe('GET /metrics', () => {
  let store: RunningApp;
  let gateway: RunningApp;

  beforeAll(async () => {
    store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
    // The relay starts only when the test says, so that a backlog can be seen first.
    gateway = await startGateway({ OUTBOX_RELAY_ENABLED: '0' });
  });
  afterAll(async () => {
    await gateway?.close();
    await store?.close();
  });

  it('is public on both apps and names every series the issue asks for', async () => {
    const [gatewaySeries, storeSeries] = await Promise.all([
      scrape(gateway.url),
      scrape(store.url),
    ]);
    const names = (samples: typeof gatewaySeries) => new Set(samples.map((s) => s.name));
    for (const name of [
      'tally_outbox_backlog_rows',
      'tally_outbox_oldest_unsent_age_seconds',
      'tally_outbox_published_total',
      'tally_outbox_publish_errors_total',
      'process_cpu_seconds_total',
    ]) {
      expect(names(gatewaySeries)).toContain(name);
    }
    for (const name of [
      'tally_consumer_lag',
      'tally_consumer_batch_size_count',
      'tally_consumer_apply_seconds_count',
      'process_cpu_seconds_total',
    ]) {
      expect(names(storeSeries)).toContain(name);
    }
    // The consumer lag is reported for every partition of the charge topic.
    const lag = storeSeries.filter((s) => s.name === 'tally_consumer_lag');
    expect(lag.map((s) => s.labels.partition).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(lag.every((s) => s.labels.topic === Topics.chargeRequested)).toBe(true);
  });

  it('moves when a charge flows: HTTP, outbox backlog and relay, ledger outcomes, batches', async () => {
    const user = unique('user');
    const before = { gateway: await scrape(gateway.url), store: await scrape(store.url) };
    const eventIds = [unique('charge'), unique('charge'), unique('charge')];
    for (const event_id of eventIds) {
      const answer = await call('POST', `${gateway.url}/internal/charges`, {
        as: 'internal',
        body: { event_id, user_id: user, amount: 5, source: 'tts' },
      });
      expect(answer.status).toBe(202);
    }
    const charged = { method: 'POST', route: '/internal/charges', status: '202' };

    // Relay off: the rows wait, and the gauges say so.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const waiting = await scrape(gateway.url);
    expect(
      total(waiting, 'http_requests_total', charged)! -
        (total(before.gateway, 'http_requests_total', charged) ?? 0),
    ).toBe(3);
    expect(total(waiting, 'http_request_duration_seconds_count', charged)).toBeGreaterThanOrEqual(
      3,
    );
    expect(total(waiting, 'tally_outbox_backlog_rows')).toBeGreaterThanOrEqual(3);
    expect(total(waiting, 'tally_outbox_oldest_unsent_age_seconds')).toBeGreaterThan(0);

    gateway.app.get(OutboxRelay).start();
    await eventually(async () => {
      const { body } = await call<{ balance: number }>('GET', `${store.url}/accounts/${user}`);
      expect(body.balance).toBe(-15);
    });

    const relayed = await scrape(gateway.url);
    expect(total(relayed, 'tally_outbox_backlog_rows')).toBe(0);
    expect(total(relayed, 'tally_outbox_oldest_unsent_age_seconds')).toBe(0);
    expect(
      total(relayed, 'tally_outbox_published_total')! -
        total(before.gateway, 'tally_outbox_published_total')!,
    ).toBeGreaterThanOrEqual(3);

    const applied = await scrape(store.url);
    const delta = (name: string, labels = {}) =>
      (total(applied, name, labels) ?? 0) - (total(before.store, name, labels) ?? 0);
    expect(delta('tally_ledger_events_total', { outcome: 'applied' })).toBe(3);
    expect(delta('tally_consumer_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(delta('tally_consumer_batch_size_sum')).toBeGreaterThanOrEqual(3);
    expect(delta('tally_consumer_apply_seconds_count')).toBe(
      delta('tally_consumer_batch_size_count'),
    );
    // Everything consumed is committed: no partition lags.
    await eventually(async () => {
      expect(total(await scrape(store.url), 'tally_consumer_lag')).toBe(0);
    });
  });

  it('counts duplicates, conflicts and dead letters, and labels routes by template only', async () => {
    const user = unique('user');
    const event = chargeEvent(user, 7);
    const before = await scrape(store.url);
    await produceCharges(event);
    await produceCharges(event); // a repeat
    await produceCharges({ ...event, payload: { ...event.payload, amount: 8 } }); // a conflict
    await produce(Topics.chargeRequested, [{ key: user, value: '{not json' }]);

    const delta = (after: typeof before, name: string, labels = {}) =>
      (total(after, name, labels) ?? 0) - (total(before, name, labels) ?? 0);
    await eventually(async () => {
      const after = await scrape(store.url);
      expect(delta(after, 'tally_ledger_events_total', { outcome: 'applied' })).toBe(1);
      expect(delta(after, 'tally_ledger_events_total', { outcome: 'duplicate' })).toBe(1);
      expect(delta(after, 'tally_ledger_events_total', { outcome: 'conflict' })).toBe(1);
      expect(delta(after, 'tally_dlq_messages_total', { code: 'event_id_conflict' })).toBe(1);
      expect(delta(after, 'tally_dlq_messages_total', { code: 'invalid_json' })).toBe(1);
    });

    expect((await call('GET', `${store.url}/accounts/${user}`)).status).toBe(200);
    expect((await call('GET', `${store.url}/no/such/route`)).status).toBe(404);
    const after = await scrape(store.url);
    expect(
      total(after, 'http_requests_total', { route: '/accounts/:user_id', status: '200' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      total(after, 'http_requests_total', { route: 'unmatched', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(after.some((s) => Object.values(s.labels).some((v) => v.includes(user)))).toBe(false);
  });

  it('counts expiry job runs, whether scheduled or asked for', async () => {
    const before = await scrape(store.url);
    for (const job of ['expire-grants', 'expire-holds', 'expire-grants']) {
      expect((await call('POST', `${store.url}/admin/jobs/${job}`)).status).toBe(200);
    }
    const after = await scrape(store.url);
    const runs = (samples: typeof after, job: string) =>
      total(samples, 'tally_job_runs_total', { job, result: 'ok' }) ?? 0;
    expect(runs(after, 'expire_grants') - runs(before, 'expire_grants')).toBe(2);
    expect(runs(after, 'expire_holds') - runs(before, 'expire_holds')).toBe(1);
  });
});
