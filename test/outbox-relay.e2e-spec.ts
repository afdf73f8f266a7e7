import { Topics } from '@tally/contracts';
import { createKafka, loadConfig } from '@tally/platform';
import type { DataSource } from 'typeorm';
import { GatewayConfig } from '../apps/ai-gateway/src/config/gateway.config';
import { OutboxPublisher } from '../apps/ai-gateway/src/outbox/outbox-publisher';
import { OutboxRelay } from '../apps/ai-gateway/src/outbox/outbox-relay';
import { OutboxMetrics } from '../apps/ai-gateway/src/outbox/outbox.metrics';
import { OutboxMessage, OutboxRepository } from '../apps/ai-gateway/src/outbox/outbox.repository';
import { RunningApp, startCreditStore, startGateway } from './support/apps';
import { connect, rows, scalar } from './support/db';
import { call } from './support/http';
import { readTopicUntil } from './support/kafka-helpers';
import { testBroker } from './support/test-broker';
import { eventually, unique } from './support/wait';

describe('the outbox relay', () => {
  let gatewayDb: DataSource;

  beforeAll(async () => {
    gatewayDb = await connect(process.env.GATEWAY_DATABASE_URL);
  });
  afterAll(() => gatewayDb?.destroy());

  const unpublished = async (eventIds: string[]) =>
    scalar(
      gatewayDb,
      `SELECT count(*) FROM outbox WHERE published_at IS NULL AND event_id = ANY($1)`,
      [eventIds],
    );

  describe('while Kafka is down', () => {
    let gateway: RunningApp;
    let store: RunningApp;

    beforeAll(async () => {
      store = await startCreditStore();
      gateway = await startGateway();
    });
    afterAll(async () => {
      await gateway?.close();
      await store?.close();
    });

    it('accepts charges, keeps them in the outbox, and publishes them once the broker is back', async () => {
      const user = unique('user');
      const eventIds = [unique('charge'), unique('charge')];
      testBroker.stop();
      try {
        for (const [i, event_id] of eventIds.entries()) {
          const answer = await call('POST', `${gateway.url}/internal/charges`, {
            as: 'internal',
            body: { event_id, user_id: user, amount: 10 + i, source: 'chat' },
          });
          expect(answer.status).toBe(202);
        }
        // The relay tries, fails (bounded by its publish timeout), records the attempt, backs off.
        await eventually(
          async () => {
            const [row] = await rows<{ attempts: string; pending: string }>(
              gatewayDb,
              `SELECT min(attempts) AS attempts, count(*) FILTER (WHERE published_at IS NULL) AS pending
                 FROM outbox WHERE event_id = ANY($1)`,
              [eventIds],
            );
            expect(Number(row.attempts)).toBeGreaterThan(0);
            expect(Number(row.pending)).toBe(2);
          },
          { timeoutMs: 30_000 },
        );
      } finally {
        testBroker.start();
      }
      await eventually(async () => expect(await unpublished(eventIds)).toBe(0), {
        timeoutMs: 45_000,
      });
      await eventually(
        async () => {
          const { body } = await call<{ balance: number }>('GET', `${store.url}/accounts/${user}`);
          expect(body.balance).toBe(-21);
        },
        { timeoutMs: 45_000 },
      );
      // Its own waits (outage, broker restart, publishing, applying) add up past the default.
    }, 150_000);
  });

  describe('with two relays on one outbox', () => {
    it('publishes every row exactly once and each user’s events in commit order', async () => {
      const gateway = await startGateway({ OUTBOX_RELAY_ENABLED: '0' });
      const config = loadConfig(GatewayConfig, { ...process.env, OUTBOX_BATCH_SIZE: '10' });
      const outbox = gateway.app.get(OutboxRepository);
      const relays = [0, 1].map(
        () =>
          new OutboxRelay(
            gatewayDb,
            outbox,
            new OutboxPublisher(createKafka(unique('relay'), config.kafkaBrokers)),
            config,
            gateway.app.get(OutboxMetrics),
          ),
      );
      try {
        const users = Array.from({ length: 24 }, () => unique('user'));
        const sent: { event_id: string; user: string }[] = [];
        for (let i = 0; i < 240; i++) {
          const user = users[i % users.length];
          const event_id = unique(`charge-${i}`);
          const answer = await call('POST', `${gateway.url}/internal/charges`, {
            as: 'internal',
            body: { event_id, user_id: user, amount: 1, source: 'chat' },
          });
          expect(answer.status).toBe(202);
          sent.push({ event_id, user });
        }

        const work = await Promise.all(
          relays.map(async (relay) => {
            let published = 0;
            const eventIds = sent.map((s) => s.event_id);
            for (;;) {
              const n = await relay.relayOnce();
              published += n;
              if (n === 0 && (await unpublished(eventIds)) === 0) return published;
            }
          }),
        );
        // Both took part (the topic check below shows that they never shared a row).
        expect(work[0]).toBeGreaterThan(0);
        expect(work[1]).toBeGreaterThan(0);

        const ids = new Set(sent.map((s) => s.event_id));
        const messages = await readTopicUntil(
          Topics.chargeRequested,
          (all) => all.filter((m) => ids.has(m.headers.event_id)).length >= 240,
        );
        const mine = messages.filter((m) => ids.has(m.headers.event_id));
        expect(mine).toHaveLength(240);
        expect(new Set(mine.map((m) => m.headers.event_id)).size).toBe(240);
        for (const user of users) {
          const expected = sent.filter((s) => s.user === user).map((s) => s.event_id);
          const received = mine
            .filter((m) => m.key === user)
            .sort((a, b) => Number(BigInt(a.offset) - BigInt(b.offset)))
            .map((m) => m.headers.event_id);
          expect(received).toEqual(expected);
        }
      } finally {
        await Promise.all(relays.map((relay) => relay.stop()));
        await gateway.close();
      }
    });
  });

  describe('when Kafka acknowledges after the publish timeout', () => {
    /** A real publisher whose first send is held back `delayMs` before it goes out. */
    class SlowFirstSend extends OutboxPublisher {
      readonly sentTimes = new Map<string, number>();
      private sends = 0;
      constructor(
        brokers: string[],
        private readonly delayMs: number,
      ) {
        super(createKafka(unique('relay'), brokers));
      }
      override async publish(messages: OutboxMessage[]): Promise<void> {
        if (this.sends++ === 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        for (const m of messages)
          this.sentTimes.set(m.eventId, (this.sentTimes.get(m.eventId) ?? 0) + 1);
        return super.publish(messages);
      }
    }

    it('sends nothing again while the late send is in flight, and marks its rows once it lands', async () => {
      const gateway = await startGateway({ OUTBOX_RELAY_ENABLED: '0' });
      const config = loadConfig(GatewayConfig, {
        ...process.env,
        OUTBOX_PUBLISH_TIMEOUT_MS: '400',
        OUTBOX_RELAY_CONCURRENCY: '1',
      });
      const publisher = new SlowFirstSend(config.kafkaBrokers, 1500);
      const relay = new OutboxRelay(
        gatewayDb,
        gateway.app.get(OutboxRepository),
        publisher,
        config,
        gateway.app.get(OutboxMetrics),
      );
      try {
        const user = unique('user');
        const eventIds = Array.from({ length: 5 }, () => unique('charge'));
        for (const event_id of eventIds) {
          const answer = await call('POST', `${gateway.url}/internal/charges`, {
            as: 'internal',
            body: { event_id, user_id: user, amount: 1, source: 'chat' },
          });
          expect(answer.status).toBe(202);
        }
        await expect(relay.relayOnce()).rejects.toThrow(/Kafka acknowledgement/);
        // The first send is still on its way: the next cycle waits for it, then gives up sending.
        await expect(relay.relayOnce()).rejects.toThrow(/earlier Kafka send/);
        expect(await unpublished(eventIds)).toBe(5);
        await new Promise((resolve) => setTimeout(resolve, 1200));
        await relay.relayOnce();
        expect(await unpublished(eventIds)).toBe(0);
        expect(eventIds.map((id) => publisher.sentTimes.get(id))).toEqual([1, 1, 1, 1, 1]);
      } finally {
        await relay.stop();
        await publisher.onApplicationShutdown();
        await gateway.close();
      }
    });
  });
});
