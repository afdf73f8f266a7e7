// What every benchmark brings up: its own Kafka broker (other ports, a fresh data directory), fresh
// databases, and both apps as OS processes from dist/, exactly as they run in production.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { runMigrations } from '@tally/platform';
import { CREDIT_STORE_MIGRATIONS } from '../../apps/credit-store/src/database/migrations';
import { APP_NODE_FLAGS } from '../../scripts/app-node-flags';
import { BenchPostgres, benchServer, startBenchPostgres } from './bench-postgres';

export const ROOT = path.join(__dirname, '..', '..');

export const BENCH_TOKENS = {
  admin: 'bench-admin-token-0123456789',
  internal: 'bench-internal-token-0123456789',
};

export type AppName = 'ai-gateway' | 'credit-store';

/** Where the two apps of a stack listen and keep their data, and the tokens they accept. */
export interface AppSetting {
  storeDatabaseUrl: string;
  gatewayDatabaseUrl: string;
  storePort: number;
  gatewayPort: number;
  tokens: { admin: string; internal: string };
  /** The gateway's upstream; by default a closed port (only internal charges are sent). */
  upstream?: string;
}

export class BenchStack {
  readonly brokers: string;
  private readonly kafkaEnv: NodeJS.ProcessEnv;
  private readonly children = new Set<ChildProcess>();
  private postgres?: BenchPostgres;

  /** `kafkaNodes` > 1: a KRaft cluster of that many nodes (scripts/kafka.sh, KAFKA_NODES). */
  constructor(kafkaPort: number, kafkaNodes = 1) {
    this.brokers = Array.from(
      { length: kafkaNodes },
      (_, node) => `127.0.0.1:${kafkaPort + 2 * node}`,
    ).join(',');
    this.kafkaEnv = {
      ...process.env,
      KAFKA_NODES: String(kafkaNodes),
      KAFKA_PORT: String(kafkaPort),
      KAFKA_CONTROLLER_PORT: String(kafkaPort + 1),
      KAFKA_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'tally-bench-kafka-')),
    };
  }

  /**
   * The environment both apps run with on this stack, production mode, logging only warnings and
   * errors; `extra` adds or overrides settings (a scenario's own).
   */
  appEnv(setting: AppSetting, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      NODE_ENV: 'production',
      KAFKA_BROKERS: this.brokers,
      CREDIT_STORE_DATABASE_URL: setting.storeDatabaseUrl,
      GATEWAY_DATABASE_URL: setting.gatewayDatabaseUrl,
      CREDIT_STORE_PORT: String(setting.storePort),
      GATEWAY_PORT: String(setting.gatewayPort),
      CREDIT_STORE_URL: `http://127.0.0.1:${setting.storePort}`,
      UPSTREAM_BASE_URL: setting.upstream ?? 'http://127.0.0.1:9/v1',
      ADMIN_TOKEN: setting.tokens.admin,
      INTERNAL_TOKEN: setting.tokens.internal,
      LOG_LEVELS: 'error,warn',
      ...extra,
    };
  }

  /**
   * The bench's own PostgreSQL on `port` (bench-postgres.ts), stopped and removed by `stopAll`;
   * Ctrl-C or SIGTERM from now on also stops the whole stack before the bench exits.
   */
  async startPostgres(port: number): Promise<void> {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        console.error(`${signal}: stopping the bench's stack`);
        void this.stopAll().finally(() => process.exit(130));
      });
    }
    this.postgres = await startBenchPostgres(port);
  }

  /**
   * Starts the broker, or every node of the cluster not running (formatting storage the first
   * time); resolves once they serve clients.
   */
  startBroker(): Promise<void> {
    return this.kafkaScript('start');
  }

  /** `kill -9` of one node of the cluster (1-based); `startBroker` brings it back with its data. */
  killBrokerNode(node: number): Promise<void> {
    return this.kafkaScript('kill', String(node));
  }

  /** Stops the broker (SIGTERM, clean shutdown); `startBroker` brings it back with its data. */
  stopBroker(): Promise<void> {
    return this.kafkaScript('stop');
  }

  /** scripts/kafka.sh without blocking our event loop: clients keep running meanwhile. */
  private kafkaScript(command: 'start' | 'stop' | 'kill', ...args: string[]): Promise<void> {
    const script = spawn('bash', ['scripts/kafka.sh', command, ...args], {
      cwd: ROOT,
      env: this.kafkaEnv,
      stdio: 'inherit',
    });
    return new Promise((resolve, reject) => {
      script.once('error', reject);
      script.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`scripts/kafka.sh ${command} failed (${code})`)),
      );
    });
  }

  /**
   * Runs the app's migrations, then starts it; resolves when `/health/ready` answers 200. With
   * `logFile`, the app's output is appended there instead of mixed into ours.
   */
  async startApp(
    name: AppName,
    env: NodeJS.ProcessEnv,
    url: string,
    logFile?: string,
  ): Promise<ChildProcess> {
    const main = appMain(name);
    const output = logFile === undefined ? 'inherit' : openSync(logFile, 'a');
    // Not spawnSync: whatever else we drive (a workload, a fault) goes on meanwhile.
    const migrating = spawn(process.execPath, [main, 'migrate'], {
      env,
      stdio: ['ignore', output, output],
    });
    const migrated = await new Promise<number | null>((resolve, reject) => {
      migrating.once('error', reject);
      migrating.once('exit', resolve);
    });
    if (migrated !== 0) throw new Error(`${name} migrations failed`);
    // BENCH_CPU_PROF=1: each app writes a CPU profile into .cache/bench/profiles when stopped.
    const profile = process.env.BENCH_CPU_PROF
      ? ['-r', path.join(__dirname, 'cpu-profile.preload.js')]
      : [];
    const child = spawn(process.execPath, [...APP_NODE_FLAGS, ...profile, main], {
      env: {
        ...env,
        BENCH_APP_NAME: name,
        BENCH_CPU_PROF_DIR: path.join(ROOT, '.cache', 'bench', 'profiles'),
      },
      stdio: ['ignore', output, output],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    await waitReady(url);
    return child;
  }

  /**
   * Starts a Node script of the benches (not an app: no migrations) with the apps' flags; resolves
   * when `/health/ready` answers 200.
   */
  async startScript(file: string, env: NodeJS.ProcessEnv, url: string): Promise<ChildProcess> {
    const child = spawn(process.execPath, [...APP_NODE_FLAGS, file], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    await waitReady(url);
    return child;
  }

  /** SIGTERM, and wait until it has exited. */
  async stopApp(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }

  /** SIGKILL (`kill -9`: no shutdown hook runs), and wait until it is gone. */
  async killApp(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * Stops every app, the broker and the bench's own PostgreSQL, and removes their data
   * directories.
   */
  async stopAll(): Promise<void> {
    await Promise.all([...this.children].map((child) => this.stopApp(child)));
    spawnSync('bash', ['scripts/kafka.sh', 'stop'], {
      cwd: ROOT,
      env: this.kafkaEnv,
      stdio: 'inherit',
    });
    rmSync(this.kafkaEnv.KAFKA_DATA_DIR!, { recursive: true, force: true });
    await this.postgres?.stop();
  }
}

export function appMain(name: AppName): string {
  return path.join(ROOT, 'dist', 'apps', name, 'apps', name, 'src', 'main.js');
}

/** The URL of a database of the bench's server. */
export function databaseUrl(name: string): string {
  return `${benchServer()}/${name}`;
}

/** Drops and creates a database; answers its URL. */
export async function recreateDatabase(name: string): Promise<string> {
  const client = new Client({ connectionString: `${benchServer()}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return databaseUrl(name);
}

/** A connection to the credit-store database at `url`, migrated to the current schema. */
export async function migratedCreditStore(url: string): Promise<DataSource> {
  const options = {
    type: 'postgres' as const,
    url,
    migrations: CREDIT_STORE_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
  };
  await runMigrations(options);
  return new DataSource(options).initialize();
}

/** Until the app at `url` answers /health/ready with 200. */
export async function waitReady(url: string, timeoutMs = 60_000, intervalMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/health/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await sleep(intervalMs);
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}

export async function json(method: string, url: string, token: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as Record<string, unknown>,
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
  };
}

/** The highest resident set size the process has had so far (Linux VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

/**
 * Until `groupId`'s committed offsets reach the end of every partition of `topic` that holds
 * anything. A broker that does not answer (restarting) counts as not yet.
 */
export async function waitConsumed(
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const consumed = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ])
      .then(([ends, [committed]]) => {
        const at = new Map(committed.partitions.map((p) => [p.partition, BigInt(p.offset)]));
        // A partition holding nothing (high = low) has nothing to consume, committed or not.
        return ends.every(
          (end) => end.high === end.low || (at.get(end.partition) ?? -1n) >= BigInt(end.high),
        );
      })
      .catch(() => false);
    if (consumed) return;
    await sleep(100);
  }
  throw new Error(`${groupId} did not consume ${topic} within ${timeoutMs} ms`);
}

/** Until the gateway's relay has published every outbox row (read on `gatewayDb`). */
export async function waitOutboxDrained(gatewayDb: Client, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await gatewayDb.query<{ n: string }>(
      `SELECT count(*) AS n FROM outbox WHERE published_at IS NULL`,
    );
    if (rows[0].n === '0') return;
    await sleep(200);
  }
  throw new Error('the gateway did not publish its outbox in time');
}

/** How many messages a topic holds (the sum of its partitions' ends). */
export async function topicSize(admin: Admin, topic: string): Promise<number> {
  const ends = await admin.fetchTopicOffsets(topic);
  return ends.reduce((sum, end) => sum + Number(end.high) - Number(end.low), 0);
}

/** CPU time the process has used so far (user + system), in milliseconds. */
export function cpuMs(pid: number): number {
  // /proc/<pid>/stat: fields 14 and 15 are utime and stime, in clock ticks (100 a second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time used so far by each of these processes, by pid (one gone meanwhile is left out). */
export function processesCpuMs(pids: number[]): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of pids) {
    try {
      used.set(pid, cpuMs(pid));
    } catch {
      // gone meanwhile
    }
  }
  return used;
}

/** CPU used since `before` (a process started meanwhile counts from zero). */
export function cpuSince(now: Map<number, number>, before: Map<number, number>): number {
  let sum = 0;
  for (const [pid, ms] of now) sum += ms - (before.get(pid) ?? 0);
  return sum;
}

export function writeResult(file: string, result: object): string {
  const dir = path.join(ROOT, '.cache', 'bench');
  mkdirSync(dir, { recursive: true });
  const target = path.join(dir, file);
  writeFileSync(target, JSON.stringify(result, null, 2));
  return target;
}
