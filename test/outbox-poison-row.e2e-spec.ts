import { Topics } from '@tally/contracts';
import { createKafka } from '@tally/platform';
import type { DataSource } from 'typeorm';
import { keyBucket } from '../apps/ai-gateway/src/outbox/key-bucket';
import { OutboxRelay } from '../apps/ai-gateway/src/outbox/outbox-relay';
import { RunningApp, startGateway } from './support/apps';
import { connect, rows, scalar } from './support/db';
import { call } from './support/http';
import { readTopicUntil } from './support/kafka-helpers';
import { scrape, total } from './support/metrics';
import { eventually, unique } from './support/wait';

interface ParkedRow {
  event_id: string;
  topic: string;
  key: string;
  reason: string;
}

/**
 * One outbox row that the broker can never take must not hold back the rows behind it, nor be
 * sent again and again: it is parked with its reason, everything else goes out exactly once.
 */
describe('the outbox relay with a row the broker cannot take', () => {
  let gatewayDb: DataSource;
  let gateway: RunningApp;

  beforeAll(async () => {
    gatewayDb = await connect(process.env.GATEWAY_DATABASE_URL);
    gateway = await startGateway({ OUTBOX_BATCH_SIZE: '50' });
  });
  afterAll(async () => {
    await gateway?.close();
    await gatewayDb?.destroy();
  });

  /** Puts a row straight into the outbox, as a gateway without the size check once did. */
  const insertRow = (topic: string, user: string, eventId: string, payload: unknown) =>
    gatewayDb.query(
      `INSERT INTO outbox (event_id, topic, message_key, key_bucket, event_type, payload)
       VALUES ($1, $2, $3, $4, 'credit.charge.requested', $5)`,
      [eventId, topic, user, keyBucket(user), JSON.stringify(payload)],
    );
  const envelope = (user: string, eventId: string, metadata: Record<string, unknown> = {}) => ({
    event_id: eventId,
    event_type: Topics.chargeRequested,
    schema_version: 1,
    occurred_at: new Date().toISOString(),
    producer: 'ai-gateway',
    payload: {
      user_id: user,
      amount: 1,
      source: 'chat',
      metadata,
      pricing: { mode: 'fixed', usage: {} },
    },
  });
  const unpublished = (eventIds: string[]) =>
    scalar(
      gatewayDb,
      `SELECT count(*) FROM outbox WHERE published_at IS NULL AND event_id = ANY($1)`,
      [eventIds],
    );
  const parkedList = async () =>
    (await call<{ rows: ParkedRow[] }>('GET', `${gateway.url}/admin/outbox/parked`)).body.rows;

  it('parks an oversized charge and publishes every other user’s charges exactly once', async () => {
    const poisonUser = unique('user');
    const poisonId = unique('huge');
    await insertRow(
      Topics.chargeRequested,
      poisonUser,
      poisonId,
      envelope(poisonUser, poisonId, { blob: 'x'.repeat(1_200_000) }),
    );
    // 64 other users, and two later charges of the poison row's own user.
    const sent: string[] = [];
    const users = Array.from({ length: 64 }, () => unique('user'));
    for (const user of [...users, poisonUser, poisonUser]) {
      const event_id = unique('charge');
      const answer = await call('POST', `${gateway.url}/internal/charges`, {
        as: 'internal',
        body: { event_id, user_id: user, amount: 1, source: 'chat' },
      });
      expect(answer.status).toBe(202);
      sent.push(event_id);
    }

    await eventually(async () => expect(await unpublished(sent)).toBe(0), { timeoutMs: 30_000 });
    // A few more cycles' worth of time: nothing may be sent again meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const ids = new Set(sent);
    const messages = await readTopicUntil(
      Topics.chargeRequested,
      (all) => all.filter((m) => ids.has(m.headers.event_id)).length >= sent.length,
    );
    const mine = messages.filter((m) => ids.has(m.headers.event_id));
    expect(mine).toHaveLength(sent.length);
    expect(new Set(mine.map((m) => m.headers.event_id)).size).toBe(sent.length);
    expect(messages.some((m) => m.headers.event_id === poisonId)).toBe(false);

    const [poison] = await rows<{ published_at: Date | null; parked_reason: string | null }>(
      gatewayDb,
      `SELECT published_at, parked_reason FROM outbox WHERE event_id = $1`,
      [poisonId],
    );
    expect(poison.published_at).toBeNull();
    expect(poison.parked_reason).toMatch(/too.large/i);
    const parked = (await parkedList()).find((row) => row.event_id === poisonId);
    expect(parked).toMatchObject({ topic: Topics.chargeRequested, key: poisonUser });
    expect(parked?.reason).toMatch(/too.large/i);
    const samples = await scrape(gateway.url);
    expect(total(samples, 'tally_outbox_parked_rows')).toBeGreaterThanOrEqual(1);
    expect(total(samples, 'tally_outbox_backlog_rows')).toBe(0);
  });

  it('parks a row the broker itself refuses, sends the rest, and never loops', async () => {
    // A topic that takes at most 4 KB per batch: the relay's own size check lets 8 KB through,
    // so the refusal comes from the broker, for a batch whose other rows it cannot tell apart.
    const topic = unique('tally-test-small');
    const admin = createKafka(unique('tally-test-admin'), [process.env.KAFKA_BROKERS!]).admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: 3,
            configEntries: [{ name: 'max.message.bytes', value: '4096' }],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    const users = Array.from({ length: 12 }, () => unique('user'));
    const poisonId = unique('big');
    await insertRow(
      topic,
      users[0],
      poisonId,
      envelope(users[0], poisonId, { blob: 'y'.repeat(8_000) }),
    );
    const sent: string[] = [];
    for (const user of users) {
      const eventId = unique('row');
      await insertRow(topic, user, eventId, envelope(user, eventId));
      sent.push(eventId);
    }
    gateway.app.get(OutboxRelay).wake();

    await eventually(async () => expect(await unpublished(sent)).toBe(0), { timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const ids = new Set(sent);
    const messages = await readTopicUntil(topic, (all) =>
      sent.every((id) => all.some((m) => m.headers.event_id === id)),
    );
    // A failed multi-partition batch may have landed on some partitions: each row at most twice.
    for (const id of sent) {
      expect(messages.filter((m) => m.headers.event_id === id).length).toBeLessThanOrEqual(2);
    }
    expect(messages.filter((m) => ids.has(m.headers.event_id)).length).toBeLessThan(
      sent.length * 2,
    );
    const parked = (await parkedList()).find((row) => row.event_id === poisonId);
    expect(parked?.reason).toMatch(/too.large/i);
  });
});
