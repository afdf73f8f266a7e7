// The stack the examples run against: `npm start` itself (scripts/stack.js, from dist/), on ports
// of its own, with fresh databases and its own broker, so it never meets a running `npm start`.
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import type { Ports } from './run-example';

export const ROOT = path.join(__dirname, '..', '..');
const SERVER = process.env.DOCS_POSTGRES_SERVER ?? 'postgres://postgres@127.0.0.1:5432';

export function docsPorts(): Ports {
  const port = (name: string, fallback: number): number =>
    Number(process.env[name] ?? String(fallback));
  return {
    gateway: port('DOCS_GATEWAY_PORT', 3640),
    store: port('DOCS_STORE_PORT', 3641),
    upstream: port('DOCS_UPSTREAM_PORT', 3642),
    kafka: port('DOCS_KAFKA_PORT', 19640),
  };
}

export class DocsStack {
  private child?: ChildProcess;
  /** What npm start printed (the log file is written behind it). */
  output = '';
  private readonly kafkaDir = mkdtempSync(path.join(tmpdir(), 'tally-docs-kafka-'));
  private readonly databases: string[];
  readonly logFile = path.join(ROOT, '.cache', 'docs', 'stack.log');

  constructor(private readonly ports: Ports) {
    const run = `${process.env.DOCS_DB_PREFIX ?? 'tally_docs'}_${Date.now().toString(36)}`;
    this.databases = [`${run}_gateway`, `${run}_store`];
  }

  /** Starts `npm start`'s script; resolves once it has shown its demonstration and the summary. */
  async start(): Promise<void> {
    mkdirSync(path.dirname(this.logFile), { recursive: true });
    const log = createWriteStream(this.logFile);
    const [gatewayDb, storeDb] = this.databases;
    // What npm start derives from the ports must not come from the caller's shell.
    const inherited = { ...process.env };
    const derived = ['KAFKA_BROKERS', 'CREDIT_STORE_URL', 'UPSTREAM_BASE_URL', 'UPSTREAMS'];
    for (const name of [...derived, 'MODEL_FALLBACKS']) {
      delete inherited[name];
    }
    const child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'stack.js')], {
      cwd: ROOT,
      env: {
        ...inherited,
        GATEWAY_PORT: String(this.ports.gateway),
        CREDIT_STORE_PORT: String(this.ports.store),
        FAKE_UPSTREAM_PORT: String(this.ports.upstream),
        KAFKA_PORT: String(this.ports.kafka),
        KAFKA_CONTROLLER_PORT: String(this.ports.kafka + 1),
        KAFKA_DATA_DIR: this.kafkaDir,
        GATEWAY_DATABASE_URL: `${SERVER}/${gatewayDb}`,
        CREDIT_STORE_DATABASE_URL: `${SERVER}/${storeDb}`,
        // docs/webhooks.md's receiver listens on this machine, over plain http.
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    const seconds = Number(process.env.DOCS_START_TIMEOUT_S ?? '600');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`npm start did not finish in ${seconds} s; see ${this.logFile}`)),
        seconds * 1000,
      );
      child.stdout.on('data', (chunk: Buffer) => {
        this.output += chunk.toString();
        if (this.output.includes('Ctrl-C stops everything')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited (${code}) before it was up; see ${this.logFile}`));
      });
    });
  }

  /** Ctrl-C, as a reader would; then the databases and the broker's data go. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGKILL'), 60_000).unref();
      });
    }
    const client = new Client({ connectionString: `${SERVER}/postgres` });
    await client.connect();
    try {
      for (const name of this.databases) {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }
    } finally {
      await client.end();
    }
    rmSync(this.kafkaDir, { recursive: true, force: true });
  }
}
