import type { DataSource } from 'typeorm';
import { Pool, type PoolClient } from 'pg';
import { inOneRoundTrip, LeanTransaction, pgPoolOf, runStatement } from '@tally/platform';
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
    const rows = await runStatement<{ v: number }>(db.manager, {
      text: 'SELECT v FROM prepared_probe ORDER BY v',
    });
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
    const rows = await runStatement<{ v: number }>(db.manager, {
      text: 'SELECT v FROM prepared_tx',
    });
    expect(rows).toEqual([{ v: 8 }]);
  });

  it('never runs a transaction’s statement elsewhere once its connection is gone', async () => {
    await runStatement(db.manager, { text: 'CREATE TABLE IF NOT EXISTS orphan_probe (v int)' });
    const insert = {
      name: 'test_orphan_insert',
      text: 'INSERT INTO orphan_probe VALUES ($1::int)',
    };
    await expect(
      db.transaction(async (tx) => {
        const [{ pid }] = await runStatement<{ pid: number }>(tx, {
          text: 'SELECT pg_backend_pid() AS pid',
        });
        await runStatement(db.manager, {
          text: 'SELECT pg_terminate_backend($1::int)',
          values: [pid],
        });
        await new Promise((resolve) => setTimeout(resolve, 200));
        await runStatement(tx, { ...insert, values: [1] });
      }),
    ).rejects.toThrow();
    expect(await runStatement(db.manager, { text: 'SELECT v FROM orphan_probe' })).toEqual([]);
  });

  it('writes arrays as literals PostgreSQL reads back as the same arrays', async () => {
    const texts = ['a,b', 'say "hi"', 'back\\slash', '{braces}', null, ''];
    const [[row]] = (await inOneRoundTrip(pgPoolOf(db), [
      {
        name: 'test_echo_arrays',
        text: 'SELECT $1::text[] AS texts, $2::bigint[] AS ids, $3::int[] AS none',
        values: [texts, ['9007199254740993', 2n], []],
      },
    ])) as { texts: (string | null)[]; ids: string[]; none: number[] }[][];
    expect(row).toEqual({ texts, ids: ['9007199254740993', '2'], none: [] });
  });
});

/** A transaction open across other work in two round trips: BEGIN with the first, COMMIT with the last. */
describe('LeanTransaction on PostgreSQL', () => {
  let pool: Pool;
  beforeAll(async () => {
    // One connection: what a transaction leaves on it, the next one meets.
    pool = new Pool({ connectionString: process.env.GATEWAY_DATABASE_URL, max: 1 });
    await pool.query('CREATE TABLE IF NOT EXISTS lean_probe (v int)');
  });
  afterAll(() => pool?.end());

  const insert = (v: number) => ({
    name: 'test_lean_insert',
    text: 'INSERT INTO lean_probe VALUES ($1::int) RETURNING v',
    values: [v],
  });
  const values = async () =>
    (await pool.query<{ v: number }>('SELECT v FROM lean_probe ORDER BY v')).rows.map((r) => r.v);

  it('commits what both round trips wrote, and answers each statement’s rows', async () => {
    const answers = await LeanTransaction.run(pool, async (tx) => {
      const first = await tx.query([insert(1), { text: 'SELECT txid_current() AS tx' }]);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const last = await tx.commit([insert(2), { text: 'SELECT txid_current() AS tx' }]);
      return [first, last];
    });
    expect(answers[0][0]).toEqual([{ v: 1 }]);
    expect(answers[1][0]).toEqual([{ v: 2 }]);
    // One transaction: the same id in both round trips.
    expect(answers[0][1]).toEqual(answers[1][1]);
    expect(await values()).toEqual([1, 2]);
  });

  it('rolls back when the work throws, leaving no transaction open on the connection', async () => {
    await expect(
      LeanTransaction.run(pool, async (tx) => {
        await tx.query([insert(3)]);
        throw new Error('the send failed');
      }),
    ).rejects.toThrow('the send failed');
    await LeanTransaction.run(pool, (tx) => tx.commit([insert(4)]));
    expect(await values()).toEqual([1, 2, 4]);
  });

  it('rolls back when a statement of the committing round trip fails', async () => {
    await expect(
      LeanTransaction.run(pool, async (tx) => {
        await tx.query([insert(5)]);
        return tx.commit([insert(6), { text: 'SELECT 1 / 0' }]);
      }),
    ).rejects.toThrow('division by zero');
    await LeanTransaction.run(pool, (tx) => tx.commit([insert(7)]));
    expect(await values()).toEqual([1, 2, 4, 7]);
  });

  it('survives its backend terminated between round trips: fails, drops the connection, goes on', async () => {
    const other = new Pool({ connectionString: process.env.GATEWAY_DATABASE_URL, max: 1 });
    // An 'error' event with no listener would end the process (the gateway crashed so): a
    // connection checked out has none of the pool's.
    let lent: PoolClient | undefined;
    let listening = 0;
    pool.once('acquire', (client: PoolClient) => (lent = client));
    try {
      await expect(
        LeanTransaction.run(pool, async (tx) => {
          const [[{ pid }]] = (await tx
            .query([insert(8), { text: 'SELECT pg_backend_pid() AS pid' }])
            .then(([, backend]) => [backend])) as { pid: number }[][];
          // As during a Kafka send: no query runs on the connection when its backend goes.
          await other.query('SELECT pg_terminate_backend($1)', [pid]);
          await new Promise((resolve) => setTimeout(resolve, 200));
          listening = lent?.listenerCount('error') ?? 0;
          return tx.commit([insert(9)]);
        }),
      ).rejects.toThrow();
    } finally {
      await other.end();
    }
    expect(listening).toBe(1);
    await LeanTransaction.run(pool, (tx) => tx.commit([insert(10)]));
    expect(await values()).toEqual([1, 2, 4, 7, 10]);
  });
});
