// The ceiling of this machine for a ledger, measured with plain SQL through `pg` in the same run as
// the figures it is compared with: a minimal ledger (accounts + entries with balance_before/after
// and a unique event_id) written one event per transaction, and 100 events per transaction with
// the accounts locked in order and updated once each.
import { Client } from 'pg';
import { BENCH_SHAPE, allUsers, pickAmount, pickUser } from './workload';
import { uuidv7 } from '@tally/platform/ids/uuid-v7';

const SCHEMA = `
  CREATE TABLE accounts (user_id text PRIMARY KEY, balance bigint NOT NULL DEFAULT 0,
                         version bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE ledger_entries (id bigserial PRIMARY KEY, event_id text NOT NULL UNIQUE,
                               user_id text NOT NULL, amount bigint NOT NULL,
                               balance_before bigint NOT NULL, balance_after bigint NOT NULL,
                               created_at timestamptz NOT NULL DEFAULT now());
  CREATE INDEX ledger_entries_user_idx ON ledger_entries (user_id, id);`;

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

async function applyOne(db: Client): Promise<number> {
  const user = pickUser(BENCH_SHAPE);
  const amount = pickAmount();
  await db.query('BEGIN');
  const { rows } = await db.query<{ balance: string }>(
    `UPDATE accounts SET balance = balance - $2, version = version + 1, updated_at = now()
      WHERE user_id = $1 RETURNING balance`,
    [user, amount],
  );
  const after = BigInt(rows[0].balance);
  await db.query(
    `INSERT INTO ledger_entries (event_id, user_id, amount, balance_before, balance_after)
     VALUES ($1, $2, $3, $4, $5)`,
    [uuidv7(), user, -amount, (after + BigInt(amount)).toString(), after.toString()],
  );
  await db.query('COMMIT');
  return 1;
}

async function applyHundred(db: Client): Promise<number> {
  const events = Array.from({ length: 100 }, () => ({
    id: uuidv7(),
    user: pickUser(BENCH_SHAPE),
    amount: pickAmount(),
  }));
  const users = [...new Set(events.map((e) => e.user))].sort();
  await db.query('BEGIN');
  const { rows } = await db.query<{ user_id: string; balance: string }>(
    `SELECT user_id, balance FROM accounts WHERE user_id = ANY($1) ORDER BY user_id FOR UPDATE`,
    [users],
  );
  const balance = new Map(rows.map((r) => [r.user_id, BigInt(r.balance)]));
  const before: string[] = [];
  const after: string[] = [];
  for (const event of events) {
    const current = balance.get(event.user)!;
    before.push(current.toString());
    balance.set(event.user, current - BigInt(event.amount));
    after.push(balance.get(event.user)!.toString());
  }
  await db.query(
    `INSERT INTO ledger_entries (event_id, user_id, amount, balance_before, balance_after)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[])`,
    [
      events.map((e) => e.id),
      events.map((e) => e.user),
      events.map((e) => -e.amount),
      before,
      after,
    ],
  );
  await db.query(
    `UPDATE accounts a SET balance = u.balance, version = a.version + 1, updated_at = now()
       FROM unnest($1::text[], $2::bigint[]) AS u (user_id, balance) WHERE a.user_id = u.user_id`,
    [users, users.map((u) => balance.get(u)!.toString())],
  );
  await db.query('COMMIT');
  return events.length;
}

/** `clients` connections each running `step` until `seconds` have passed; events per second. */
async function drive(
  url: string,
  clients: number,
  seconds: number,
  step: (db: Client) => Promise<number>,
): Promise<number> {
  const connections = await Promise.all(Array.from({ length: clients }, () => connect(url)));
  const started = performance.now();
  const until = started + seconds * 1000;
  const counts = await Promise.all(
    connections.map(async (db) => {
      let done = 0;
      while (performance.now() < until) done += await step(db);
      return done;
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(connections.map((db) => db.end()));
  return counts.reduce((a, b) => a + b, 0) / elapsed;
}

/** The baseline's own minimal ledger, with every bench user's account. */
export async function prepareBaseline(url: string): Promise<void> {
  const setup = await connect(url);
  await setup.query(SCHEMA);
  await setup.query(`INSERT INTO accounts (user_id) SELECT unnest($1::text[])`, [
    allUsers(BENCH_SHAPE),
  ]);
  await setup.end();
}

/** One event per transaction (update the account, insert the entry), 8 clients: tx/s. */
export function singleEventBaseline(url: string, seconds: number): Promise<number> {
  return drive(url, 8, seconds, applyOne);
}

/** 100 events per transaction, accounts locked in order and updated once, 4 clients: events/s. */
export function batchedBaseline(url: string, seconds: number): Promise<number> {
  return drive(url, 4, seconds, applyHundred);
}
