import type { DataSource } from 'typeorm';
import { inOneRoundTrip, pgPoolOf, runStatement } from '@tally/platform';
import { connect } from './support/db';

/** Named statements are prepared once per connection and answer as the same text unprepared. */
describe('prepared statements (named Statement) on PostgreSQL', () => {
  let db: DataSource;
  beforeAll(async () => {
    db = await connect(process.env.GATEWAY_DATABASE_URL);
  });
  afterAll(() => db?.destroy());

  it('runs named statements in one round trip as EXECUTE, prepared once per connection', async () => {
    const pool = pgPoolOf(db);
    const echo = {
      name: 'test_echo_values',
      text: `SELECT $1::text AS s, $2::bigint AS n, $3::boolean AS b, $4::text AS missing`,
    };
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(
        await inOneRoundTrip(pool, [
          { ...echo, values: [`o'hara\\${i}`, 9007199254740993n, true, null] },
          { text: `SELECT $1::int + 1 AS next`, values: [i] },
        ]),
      );
    }
    expect(answers[2]).toEqual([
      [{ s: "o'hara\\2", n: '9007199254740993', b: true, missing: null }],
      [{ next: 3 }],
    ]);
    // One PREPARE on the connection, whatever the number of runs (the pool keeps one client idle).
    const [seen] = (await inOneRoundTrip(pool, [
      {
        name: 'test_echo_prepared',
        text: `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = $1`,
        values: ['test_echo_values'],
      },
    ])) as { n: number }[][];
    expect(seen[0].n).toBe(1);
  });

  it('keeps the connection usable after a named statement fails, and rolls back its round trip', async () => {
    const pool = pgPoolOf(db);
    await runStatement(db.manager, { text: 'CREATE TABLE IF NOT EXISTS prepared_probe (v int)' });
    const insert = {
      name: 'test_probe_insert',
      text: 'INSERT INTO prepared_probe VALUES ($1::int)',
    };
    const divide = { name: 'test_probe_divide', text: 'SELECT 1 / $1::int AS q' };
    await expect(
      inOneRoundTrip(pool, [
        { ...insert, values: [1] },
        { ...divide, values: [0] },
      ]),
    ).rejects.toThrow('division by zero');
    expect(
      await inOneRoundTrip(pool, [
        { ...insert, values: [2] },
        { ...divide, values: [1] },
      ]),
    ).toEqual([[], [{ q: 1 }]]);
    const rows = (await runStatement(db.manager, {
      text: 'SELECT v FROM prepared_probe ORDER BY v',
    })) as { v: number }[];
    expect(rows).toEqual([{ v: 2 }]);
  });

  it('runs a named statement in the manager’s transaction, on its connection', async () => {
    await runStatement(db.manager, { text: 'CREATE TABLE IF NOT EXISTS prepared_tx (v int)' });
    const insert = { name: 'test_tx_insert', text: 'INSERT INTO prepared_tx VALUES ($1::int)' };
    await expect(
      db.transaction(async (tx) => {
        await runStatement(tx, { ...insert, values: [7] });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await db.transaction((tx) => runStatement(tx, { ...insert, values: [8] }));
    const rows = (await runStatement(db.manager, { text: 'SELECT v FROM prepared_tx' })) as {
      v: number;
    }[];
    expect(rows).toEqual([{ v: 8 }]);
  });
});
