import { DlqHeaders, Topics } from '@tally/contracts';
import type { DataSource } from 'typeorm';
import { RunningApp, startCreditStore } from './support/apps';
import { connect, rows, scalar } from './support/db';
import { chargeEvent } from './support/charge-events';
import { call } from './support/http';
import { produce, readTopicUntil } from './support/kafka-helpers';
import { eventually, unique } from './support/wait';

describe('the credit-store consumer of credit.charge.requested', () => {
  let store: RunningApp;
  let db: DataSource;

  beforeAll(async () => {
    store = await startCreditStore();
    db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(async () => {
    await db?.destroy();
    await store?.close();
  });

  const account = async (user: string) =>
    (
      await call<{ balance: number; total_consumed: number }>(
        'GET',
        `${store.url}/accounts/${user}`,
      )
    ).body;
  const entryCount = async (user: string) =>
    scalar(db, `SELECT count(*) FROM ledger_entries WHERE user_id = $1`, [user]);

  it('applies an event produced straight onto the topic, and the same event again changes nothing', async () => {
    const user = unique('user');
    const event = chargeEvent(user, 25);
    await produce(Topics.chargeRequested, [{ key: user, value: JSON.stringify(event) }]);
    await eventually(async () => expect((await account(user)).balance).toBe(-25));

    await produce(Topics.chargeRequested, [{ key: user, value: JSON.stringify(event) }]);
    const marker = chargeEvent(user, 1);
    await produce(Topics.chargeRequested, [{ key: user, value: JSON.stringify(marker) }]);
    // The marker comes after the repeat in the same partition, so once it is applied so is the repeat.
    await eventually(async () => expect((await account(user)).balance).toBe(-26));
    expect(await entryCount(user)).toBe(2);

    const { body: entry } = await call('GET', `${store.url}/ledger/${event.event_id}`);
    expect(entry).toMatchObject({
      amount: -25,
      source: 'video',
      source_ref_id: 'job-1',
      pricing: { mode: 'duration', model: 'v1', usage: { seconds: 12 } },
      metadata: { producer: 'video-service' },
    });
  });

  it('dead-letters malformed and invalid messages with their reason and goes on with the good ones', async () => {
    const user = unique('user');
    const invalid = chargeEvent(user, -5);
    await produce(Topics.chargeRequested, [
      { key: user, value: '{"this is": not json' },
      { key: user, value: JSON.stringify(invalid) },
      { key: user, value: JSON.stringify({ ...chargeEvent(user, 1), schema_version: 2 }) },
      { key: user, value: JSON.stringify(chargeEvent(user, 7)) },
    ]);
    await eventually(async () => expect((await account(user)).balance).toBe(-7));

    const letters = await readTopicUntil(
      Topics.chargeRequestedDlq,
      (all) => all.filter((m) => m.key === user).length >= 3,
    );
    const mine = letters.filter((m) => m.key === user);
    expect(mine.map((m) => m.headers[DlqHeaders.code])).toEqual([
      'invalid_json',
      'validation_failed',
      'unsupported_schema_version',
    ]);
    expect(mine[0].value).toBe('{"this is": not json');
    expect(mine[1].headers[DlqHeaders.reason]).toContain('payload.amount');
    expect(mine[1].headers[DlqHeaders.sourceTopic]).toBe(Topics.chargeRequested);
    expect(JSON.parse(mine[1].value!)).toEqual(invalid);
    expect(await entryCount(user)).toBe(1);
  });

  it('dead-letters hostile content on the first try, once each, and goes on with the good ones', async () => {
    const user = unique('user');
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const hostile: [string, string][] = [
      [
        'unstorable_text',
        JSON.stringify(chargeEvent(user, 1, unique('evt'), { description: 'a\u0000b' })),
      ],
      [
        'unstorable_text',
        JSON.stringify(chargeEvent(user, 1, unique('evt'), { metadata: { 'k\u0000': 1 } })),
      ],
      [
        'unstorable_text',
        JSON.stringify(chargeEvent(user, 1, unique('evt'), { source_ref_id: 'x\ud800y' })),
      ],
      [
        'json_too_deep',
        JSON.stringify(chargeEvent(user, 1, unique('evt'), { metadata: 'deep' })).replace(
          '"metadata":"deep"',
          `"metadata":${deep}`,
        ),
      ],
      [
        'validation_failed',
        JSON.stringify(chargeEvent(user, 1, unique('evt'), { ['__proto__']: { amount: 0 } })),
      ],
      [
        'validation_failed',
        JSON.stringify(
          chargeEvent(user, 1, unique('evt'), { metadata: { a: { constructor: 1 } } }),
        ),
      ],
    ];
    await produce(Topics.chargeRequested, [
      ...hostile.map(([, value]) => ({ key: user, value })),
      { key: user, value: JSON.stringify(chargeEvent(user, 7)) },
    ]);
    await eventually(async () => expect((await account(user)).balance).toBe(-7));
    const letters = await readTopicUntil(
      Topics.chargeRequestedDlq,
      (all) => all.filter((m) => m.key === user).length >= hostile.length,
    );
    const mine = letters.filter((m) => m.key === user);
    // One letter each, with its reason: none was retried (a retry would have stalled the charge
    // behind them and published the letter again).
    expect(mine.map((m) => m.headers[DlqHeaders.code])).toEqual(hostile.map(([code]) => code));
    expect(mine.map((m) => m.value)).toEqual(hostile.map(([, value]) => value));
    expect(mine[0].headers[DlqHeaders.reason]).toContain('payload.description');
    expect(mine[3].headers[DlqHeaders.reason]).toContain('payload.metadata.a.a');
    expect(mine[4].headers[DlqHeaders.reason]).toContain('payload.__proto__');
    expect(await entryCount(user)).toBe(1);
  });

  it('refuses a conflicting repeat of an event_id: the first entry stands, the repeat is recorded and dead-lettered', async () => {
    const user = unique('user');
    const first = chargeEvent(user, 10);
    const conflicting = chargeEvent(user, 99, first.event_id);
    await produce(Topics.chargeRequested, [
      { key: user, value: JSON.stringify(first) },
      { key: user, value: JSON.stringify(conflicting) },
      { key: user, value: JSON.stringify(chargeEvent(user, 1)) },
    ]);
    await eventually(async () => expect((await account(user)).balance).toBe(-11));

    const [conflict] = await rows<{ amount: string; reason: string }>(
      db,
      `SELECT amount, reason FROM ledger_conflicts WHERE event_id = $1`,
      [first.event_id],
    );
    expect(conflict).toMatchObject({ amount: '99' });
    expect(conflict.reason).toContain('amount -10 ≠ -99');
    const letters = await readTopicUntil(Topics.chargeRequestedDlq, (all) =>
      all.some((m) => m.key === user),
    );
    expect(letters.find((m) => m.key === user)?.headers[DlqHeaders.code]).toBe('event_id_conflict');
  });

  it('takes free events (amount 0) without writing an entry', async () => {
    const user = unique('user');
    const free = chargeEvent(user, 0, unique('evt'), {
      pricing: { mode: 'free', usage: { input_tokens: 3 } },
    });
    await produce(Topics.chargeRequested, [
      { key: user, value: JSON.stringify(free) },
      { key: user, value: JSON.stringify(chargeEvent(user, 2)) },
    ]);
    await eventually(async () => expect((await account(user)).balance).toBe(-2));
    expect(await entryCount(user)).toBe(1);
  });

  it('records a free call once however often it comes, in one batch or later, and dead-letters none of it', async () => {
    const user = unique('user');
    const free = JSON.stringify(
      chargeEvent(user, 0, unique('evt'), {
        pricing: { mode: 'free', usage: { input_tokens: 3 } },
      }),
    );
    await produce(Topics.chargeRequested, [
      { key: user, value: free },
      { key: user, value: free },
    ]);
    await eventually(async () =>
      expect(
        await scalar(db, `SELECT count(*) FROM usage_records WHERE user_id = $1`, [user]),
      ).toBe(1),
    );
    await produce(Topics.chargeRequested, [
      { key: user, value: free },
      { key: user, value: JSON.stringify(chargeEvent(user, 2)) },
    ]);
    await eventually(async () => expect((await account(user)).balance).toBe(-2));
    expect(await scalar(db, `SELECT count(*) FROM usage_records WHERE user_id = $1`, [user])).toBe(
      2,
    );
    expect(
      await scalar(
        db,
        `SELECT count(*) FROM dead_letters WHERE message_key = convert_to($1, 'UTF8')`,
        [user],
      ),
    ).toBe(0);
  });

  it('refuses to delete an account: its entries name it', async () => {
    const user = unique('user');
    await produce(Topics.chargeRequested, [
      { key: user, value: JSON.stringify(chargeEvent(user, 2)) },
    ]);
    await eventually(async () => expect(await entryCount(user)).toBe(1));
    await expect(db.query(`DELETE FROM accounts WHERE user_id = $1`, [user])).rejects.toThrow(
      /never deleted/,
    );
  });
});
