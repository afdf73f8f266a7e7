import type { DataSource } from 'typeorm';
import { Topics } from '@tally/contracts';
import { ChargeIntakeService } from '../apps/credit-store/src/charges/charge-intake.service';
import type { InboundBatch } from '@tally/platform';
import type { Movement } from '../apps/credit-store/src/ledger/entries/ledger-entry';
import { LedgerService } from '../apps/credit-store/src/ledger/ledger.service';
import { RunningApp, startCreditStore } from './support/apps';
import { connect, rows, scalar } from './support/db';
import { unique } from './support/wait';

interface EntryRow {
  event_id: string;
  amount: string;
  balance_before: string;
  balance_after: string;
}

describe('the ledger under concurrency, duplicates and redelivery', () => {
  let store: RunningApp;
  let db: DataSource;
  let ledger: LedgerService;

  beforeAll(async () => {
    store = await startCreditStore();
    db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
    ledger = store.app.get(LedgerService);
  });
  afterAll(async () => {
    await db?.destroy();
    await store?.close();
  });

  /** Every invariant of SPEC §1 for one account, read straight from the tables. */
  async function expectConsistent(user: string) {
    const entries = await rows<EntryRow>(
      db,
      `SELECT event_id, amount, balance_before, balance_after FROM ledger_entries
        WHERE user_id = $1 AND status = 'applied' ORDER BY id`,
      [user],
    );
    let balance = 0n;
    for (const entry of entries) {
      expect(BigInt(entry.balance_before)).toBe(balance);
      balance += BigInt(entry.amount);
      expect(BigInt(entry.balance_after)).toBe(balance);
    }
    const [account] = await rows<{
      balance: string;
      total_consumed: string;
      total_rewarded: string;
    }>(db, `SELECT balance, total_consumed, total_rewarded FROM accounts WHERE user_id = $1`, [
      user,
    ]);
    expect(BigInt(account.balance)).toBe(balance);
    const spent = entries
      .filter((e) => BigInt(e.amount) < 0n)
      .reduce((sum, e) => sum - BigInt(e.amount), 0n);
    const earned = entries
      .filter((e) => BigInt(e.amount) > 0n)
      .reduce((sum, e) => sum + BigInt(e.amount), 0n);
    expect(BigInt(account.total_consumed)).toBe(spent);
    expect(BigInt(account.total_rewarded)).toBe(earned);
    return { balance, entries };
  }

  it('applies every movement exactly once, with unbroken chains, when batches for the same users run at once', async () => {
    const users = [unique('user'), unique('user'), unique('user')];
    const movements: Movement[] = Array.from({ length: 120 }, (_, i) => ({
      event_id: unique(`m${i}`),
      user_id: users[i % users.length],
      source: i % 4 === 0 ? 'reward' : 'chat',
      direction: i % 4 === 0 ? 'income' : 'expense',
      amount: BigInt(1 + (i % 7)),
    }));
    // 24 concurrent batches of 10; every movement is sent in two different batches.
    const batches = Array.from({ length: 24 }, (_, b) =>
      Array.from({ length: 10 }, (_, k) => movements[(b * 5 + k) % movements.length]),
    );
    const outcomes = (
      await Promise.all(batches.map((batch) => ledger.applyMovements(batch)))
    ).flat();

    expect(outcomes.filter((o) => o.kind === 'applied')).toHaveLength(120);
    expect(outcomes.filter((o) => o.kind === 'duplicate')).toHaveLength(120);
    expect(outcomes.filter((o) => o.kind === 'conflict')).toHaveLength(0);
    for (const user of users) {
      const { balance, entries } = await expectConsistent(user);
      const mine = movements.filter((m) => m.user_id === user);
      expect(entries).toHaveLength(mine.length);
      expect(balance).toBe(
        mine.reduce((sum, m) => sum + (m.direction === 'income' ? m.amount : -m.amount), 0n),
      );
    }
  });

  it('lets only one of two users have an event_id that both claim at the same moment', async () => {
    const eventId = unique('contested');
    const [a, b] = [unique('user'), unique('user')];
    const claim = (user: string) =>
      ledger.applyMovements([
        { event_id: eventId, user_id: user, source: 'chat', direction: 'expense', amount: 5n },
      ]);
    const [[first], [second]] = await Promise.all([claim(a), claim(b)]);

    expect([first.kind, second.kind].sort()).toEqual(['applied', 'conflict']);
    expect(
      await scalar(db, `SELECT count(*) FROM ledger_entries WHERE event_id = $1`, [eventId]),
    ).toBe(1);
    const loser = first.kind === 'conflict' ? a : b;
    expect(
      await scalar(db, `SELECT count(*) FROM ledger_entries WHERE user_id = $1`, [loser]),
    ).toBe(0);
  });

  it('changes nothing when a batch is delivered again after a crash before its offsets were committed', async () => {
    const user = unique('user');
    const intake = store.app.get(ChargeIntakeService);
    const envelope = (eventId: string, amount: number) =>
      Buffer.from(
        JSON.stringify({
          event_id: eventId,
          event_type: Topics.chargeRequested,
          schema_version: 1,
          occurred_at: new Date().toISOString(),
          producer: 'test',
          payload: {
            user_id: user,
            amount,
            source: 'image',
            pricing: { mode: 'fixed', usage: {} },
          },
        }),
      );
    const first = unique('evt');
    const batch: InboundBatch = {
      topic: Topics.chargeRequested,
      partition: 0,
      heartbeat: () => Promise.resolve(),
      messages: [
        { eventId: first, amount: 3 },
        { eventId: unique('evt'), amount: 4 },
        { eventId: first, amount: 30 }, // a conflicting repeat inside the batch
      ].map(({ eventId, amount }, i) => ({
        topic: Topics.chargeRequested,
        partition: 0,
        offset: String(900_000 + i),
        key: Buffer.from(user),
        value: envelope(eventId, amount),
        headers: {},
      })),
    };

    await intake.process(batch);
    const afterFirst = await expectConsistent(user);
    await intake.process(batch); // the redelivery
    const afterSecond = await expectConsistent(user);

    expect(afterFirst.balance).toBe(-7n);
    expect(afterSecond).toEqual(afterFirst);
    expect(
      await scalar(db, `SELECT count(*) FROM ledger_conflicts WHERE event_id = $1`, [first]),
    ).toBe(1);
  });
});
