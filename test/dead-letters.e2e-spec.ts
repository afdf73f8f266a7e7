import { DlqHeaders, Topics } from '@tally/contracts';
import { createKafka } from '@tally/platform';
import { RunningApp, startCreditStore } from './support/apps';
import { chargeEvent } from './support/charge-events';
import { connect } from './support/db';
import { call, type HttpAnswer } from './support/http';
import { produce, readTopicUntil } from './support/kafka-helpers';
import { eventually, unique } from './support/wait';

interface DeadLetterRow {
  id: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  code: string;
  reason: string;
  key: string | null;
  value: string | null;
}

interface DeadLetterPage {
  rows: DeadLetterRow[];
  next_after: string | null;
}

/**
 * A dead letter is published again when the consumer dies after publishing it and before
 * committing the offset (issue 15, part 3). The topic then holds it twice; the credit-store's
 * list, keyed by origin (topic, partition, offset), holds it once.
 */
describe('GET /admin/dead-letters', () => {
  let store: RunningApp;
  afterAll(() => store?.close());

  /** Every kept letter, page by page, as a reader following `next_after` sees them. */
  async function allKept(limit = 2): Promise<DeadLetterRow[]> {
    const rows: DeadLetterRow[] = [];
    for (let after: string | null = '0'; after !== null;) {
      const page: HttpAnswer<DeadLetterPage> = await call<DeadLetterPage>(
        'GET',
        `${store.url}/admin/dead-letters?after=${after}&limit=${limit}`,
        { as: 'admin' },
      );
      expect(page.status).toBe(200);
      rows.push(...page.body.rows);
      after = page.body.next_after;
    }
    return rows;
  }

  it('lists a letter dead-lettered twice (redelivered after a crash) once, with its origin', async () => {
    const user = unique('user');
    const bad = JSON.stringify(chargeEvent(user, -5));
    store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
    await produce(Topics.chargeRequested, [
      { key: user, value: bad },
      { key: user, value: JSON.stringify(chargeEvent(user, 3)) },
    ]);
    const [first] = (
      await readTopicUntil(Topics.chargeRequestedDlq, (all) => all.some((m) => m.key === user))
    ).filter((m) => m.key === user);
    const origin = {
      partition: Number(first.headers[DlqHeaders.sourcePartition]),
      offset: first.headers[DlqHeaders.sourceOffset],
    };
    const mine = async () => (await allKept()).filter((row) => row.key === user);
    await eventually(async () => expect(await mine()).toHaveLength(1));

    // As if the consumer had died before committing: the group goes back to the letter's offset.
    await store.close();
    const admin = createKafka(unique('tally-test-admin'), [process.env.KAFKA_BROKERS!]).admin();
    await admin.connect();
    try {
      await admin.setOffsets({
        groupId: 'credit-store',
        topic: Topics.chargeRequested,
        partitions: [{ partition: origin.partition, offset: origin.offset }],
      });
    } finally {
      await admin.disconnect();
    }
    store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });

    const letters = await readTopicUntil(
      Topics.chargeRequestedDlq,
      (all) => all.filter((m) => m.key === user).length >= 2,
      30_000,
    );
    expect(letters.filter((m) => m.key === user)).toHaveLength(2);
    const rows = await mine();
    expect(rows).toEqual([
      expect.objectContaining({
        source_topic: Topics.chargeRequested,
        source_partition: origin.partition,
        source_offset: origin.offset,
        code: 'validation_failed',
        value: bad,
      }),
    ]);
    expect(rows[0].reason).toContain('payload.amount');
  });

  it('pages in id order across a power of ten (ids compared as numbers, not text)', async () => {
    store ??= await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
    const db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
    const eventId = unique('paging');
    try {
      // The next ids run from below a power of ten to past it (…96 to …107), where "100" < "96".
      const [{ last }] = await db.query<{ last: string }[]>(
        `SELECT last_value::text AS last FROM dead_letters_id_seq`,
      );
      const power = 10n ** BigInt(last.length + 1);
      await db.query(`SELECT setval('dead_letters_id_seq', $1)`, [(power - 5n).toString()]);
      await db.query(
        `INSERT INTO dead_letters (source_topic, source_partition, source_offset, code, reason, event_id)
         SELECT $1, 0, n, 'validation_failed', 'paging test', $1 FROM generate_series(1, 12) AS n`,
        [eventId],
      );
    } finally {
      await db.destroy();
    }
    const ids: string[] = [];
    for (let after: string | null = '0'; after !== null;) {
      const page: HttpAnswer<DeadLetterPage> = await call<DeadLetterPage>(
        'GET',
        `${store.url}/admin/dead-letters?after=${after}&limit=5&event_id=${eventId}`,
        { as: 'admin' },
      );
      expect(page.status).toBe(200);
      ids.push(...page.body.rows.map((row) => row.id));
      after = page.body.next_after;
    }
    expect(ids).toHaveLength(12);
    expect(ids.map(BigInt)).toEqual([...ids.map(BigInt)].sort((a, b) => (a < b ? -1 : 1)));
  });

  it('refuses a cursor or a limit that is not a whole number in range', async () => {
    for (const query of ['after=-1', 'after=x', 'limit=0', 'limit=501']) {
      const answer = await call('GET', `${store.url}/admin/dead-letters?${query}`, { as: 'admin' });
      expect(answer).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    }
  });
});
