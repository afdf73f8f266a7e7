import { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { Admin, Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { Topics } from '@tally/contracts';
import {
  AppName,
  BenchStack,
  ROOT,
  json,
  recreateDatabase,
  sleep,
  topicSize,
  waitConsumed,
  waitOutboxDrained,
} from '../../../bench/support/bench-stack';
import type { CheckedStack } from './checked-stack';
import { FAULTS } from './fault-config';

export const FAULT_TOKENS = {
  admin: 'faults-admin-token-0123456789',
  internal: 'faults-internal-token-0123456789',
};

/** Our own connections carry this name, so that dropping the apps' connections spares them. */
export const CHECKER_APPLICATION_NAME = 'tally-faults-checker';

const SERVER = process.env.FAULTS_POSTGRES_SERVER ?? 'postgres://postgres@127.0.0.1:5432';
const CONSUMER_GROUP = 'credit-store';

export interface FaultStackOptions {
  gateway: boolean;
  /** The gateway's chat upstream (asked when the stack starts); none by default. */
  upstream?: () => string;
  /** Kafka nodes: 1 (default), or a replicated cluster (3) on FAULTS.kafkaPort and above. */
  kafkaNodes?: number;
}

export interface Reconciliation {
  ok: boolean;
  accounts_checked: number;
  mismatches: unknown[];
}

/**
 * One scenario's world: its own broker (fresh data, the suite's port), fresh `tally_faults_*`
 * databases, both apps as OS processes from dist/ (logs in .cache/faults/), and direct connections
 * to look behind them. Apps can be killed (SIGKILL) and started again on the same databases.
 */
export class FaultStack implements CheckedStack {
  readonly storeUrl = `http://127.0.0.1:${FAULTS.storePort}`;
  readonly gatewayUrl = `http://127.0.0.1:${FAULTS.gatewayPort}`;
  readonly stack: BenchStack;
  readonly storeDb: Client;
  readonly gatewayDb: Client;
  readonly kafka: Kafka;
  private admin?: Admin;
  private env: NodeJS.ProcessEnv = {};
  /** Running apps by `name#replica` (replica 0 is the one every scenario has). */
  private readonly apps = new Map<string, ChildProcess>();
  private readonly databases: string[];

  constructor(
    private readonly scenario: string,
    kafkaNodes = 1,
  ) {
    this.stack = new BenchStack(FAULTS.kafkaPort, kafkaNodes);
    const prefix = `${FAULTS.databasePrefix}_${scenario}`;
    this.databases = [`${prefix}_credit_store`, `${prefix}_gateway`];
    const [store, gateway] = this.databases.map((name) => `${SERVER}/${name}`);
    this.storeDb = new Client({
      connectionString: store,
      application_name: CHECKER_APPLICATION_NAME,
    });
    this.gatewayDb = new Client({
      connectionString: gateway,
      application_name: CHECKER_APPLICATION_NAME,
    });
    this.kafka = new Kafka({
      clientId: `tally-faults-${scenario}`,
      brokers: this.stack.brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
  }

  get storeDatabase(): string {
    return this.databases[0];
  }

  get gatewayDatabase(): string {
    return this.databases[1];
  }

  /**
   * Databases, broker, the credit-store, and the gateway when the scenario needs it (with the
   * scenario's chat upstream, if it has one).
   */
  async start({ gateway, upstream }: FaultStackOptions): Promise<void> {
    const [storeUrl, gatewayUrl] = await Promise.all(this.databases.map(recreateDatabase));
    await this.stack.startBroker();
    this.env = this.stack.appEnv(
      {
        storeDatabaseUrl: storeUrl,
        gatewayDatabaseUrl: gatewayUrl,
        storePort: FAULTS.storePort,
        gatewayPort: FAULTS.gatewayPort,
        tokens: FAULT_TOKENS,
        upstream: upstream?.(),
      },
      {
        CREDIT_STORE_CONSUMER_GROUP: CONSUMER_GROUP,
        JOB_INTERVAL_SECONDS: '0',
        // A killed consumer's partitions wait for its session to expire before anyone takes them
        // over; the broker's minimum keeps each restart from stalling the suite for 30 s.
        KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '6000',
      },
    );
    mkdirSync(path.join(ROOT, '.cache', 'faults'), { recursive: true });
    await this.startApp('credit-store');
    if (gateway) await this.startApp('ai-gateway');
    await Promise.all([this.storeDb.connect(), this.gatewayDb.connect()]);
    this.admin = this.kafka.admin();
    await this.admin.connect();
  }

  /** Where a replica answers: replica 0 on the configured port, replica n 100·n above it. */
  urlOf(name: AppName, replica = 0): string {
    const port = (name === 'credit-store' ? FAULTS.storePort : FAULTS.gatewayPort) + 100 * replica;
    return `http://127.0.0.1:${port}`;
  }

  /** Starts an app (a replica: another process of it, on its own port, same databases). */
  async startApp(name: AppName, replica = 0): Promise<void> {
    const url = this.urlOf(name, replica);
    // Another run's app on this port would answer our readiness check and our requests.
    const taken = await fetch(`${url}/health`)
      .then(() => true)
      .catch(() => false);
    if (taken) throw new Error(`${url} is taken by another process: set FAULTS_*_PORT`);
    const suffix = replica === 0 ? '' : `-${replica}`;
    const log = path.join(ROOT, '.cache', 'faults', `${this.scenario}-${name}${suffix}.log`);
    const port = new URL(url).port;
    const env = {
      ...this.env,
      [name === 'credit-store' ? 'CREDIT_STORE_PORT' : 'GATEWAY_PORT']: port,
    };
    this.apps.set(`${name}#${replica}`, await this.stack.startApp(name, env, url, log));
  }

  /** `kill -9`: no shutdown hook, no last commit, no consumer leaving its group. */
  async killApp(name: AppName, replica = 0): Promise<void> {
    const child = this.apps.get(`${name}#${replica}`);
    if (child) await this.stack.killApp(child);
    this.apps.delete(`${name}#${replica}`);
  }

  /** SIGTERM: the graceful way out (a consumer leaves its group, which rebalances). */
  async stopApp(name: AppName, replica = 0): Promise<void> {
    const child = this.apps.get(`${name}#${replica}`);
    if (child) await this.stack.stopApp(child);
    this.apps.delete(`${name}#${replica}`);
  }

  /** Whether the app's process (the one started last) is still alive. */
  isRunning(name: AppName, replica = 0): boolean {
    const child = this.apps.get(`${name}#${replica}`);
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  /** The ledger consumer group's members right now. */
  async consumerMembers(): Promise<number> {
    const { groups } = await this.admin!.describeGroups([CONSUMER_GROUP]);
    return groups[0]?.members.length ?? 0;
  }

  /**
   * Drops every connection the apps hold to `database`, as a failover or an administrator would
   * (ours are spared by their application_name). Answers how many were dropped.
   */
  /**
   * Waits (up to `timeoutMs`) until each database has a connection of its app to cut, so that a
   * drop always hits both apps; an app that does not reconnect within that fails the scenario.
   */
  async waitConnected(databases: string[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await Promise.all(databases.map((db) => this.connections(db)));
      if (counts.every((n) => n > 0)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `no connection to cut after ${timeoutMs} ms: ${databases.join(', ')} have ${counts.join(', ')}`,
        );
      }
      await sleep(100);
    }
  }

  private async connections(database: string): Promise<number> {
    const admin = new Client({
      connectionString: `${SERVER}/postgres`,
      application_name: CHECKER_APPLICATION_NAME,
    });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name <> $2`,
        [database, CHECKER_APPLICATION_NAME],
      );
      return rows[0].n;
    } finally {
      await admin.end();
    }
  }

  async dropConnections(database: string): Promise<number> {
    const admin = new Client({
      connectionString: `${SERVER}/postgres`,
      application_name: CHECKER_APPLICATION_NAME,
    });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name <> $2`,
        [database, CHECKER_APPLICATION_NAME],
      );
      return rowCount ?? 0;
    } finally {
      await admin.end();
    }
  }

  stopBroker(): Promise<void> {
    return this.stack.stopBroker();
  }

  startBroker(): Promise<void> {
    return this.stack.startBroker();
  }

  /** `kill -9` of one node of a cluster; `startBroker` brings it back. */
  killBrokerNode(node: number): Promise<void> {
    return this.stack.killBrokerNode(node);
  }

  async stop(): Promise<void> {
    // Nothing is checked after this point: SIGKILL spares the apps' graceful shutdown time.
    for (const child of [...this.apps.values()]) await this.stack.killApp(child);
    this.apps.clear();
    await this.admin?.disconnect().catch(() => undefined);
    await Promise.all([this.storeDb.end(), this.gatewayDb.end()].map((p) => p.catch(() => {})));
    await this.stack.stopAll();
  }

  /** Until the credit-store's committed offsets reach the end of every partition of the topic. */
  waitConsumed(timeoutMs = 120_000): Promise<void> {
    return waitConsumed(this.admin!, CONSUMER_GROUP, Topics.chargeRequested, timeoutMs);
  }

  /** Until the gateway's relay has published every outbox row. */
  waitOutboxDrained(timeoutMs = 120_000): Promise<void> {
    return waitOutboxDrained(this.gatewayDb, timeoutMs);
  }

  /** How many messages a topic holds (the sum of its partitions' ends). */
  topicSize(topic: string): Promise<number> {
    return topicSize(this.admin!, topic);
  }

  reconciliation(): Promise<Reconciliation> {
    return json('GET', `${this.storeUrl}/finance/reconciliation`, FAULT_TOKENS.admin).then(
      ({ status, body }) => {
        if (status !== 200) throw new Error(`reconciliation answered ${status}`);
        return body as unknown as Reconciliation;
      },
    );
  }
}

/**
 * A scenario file's stack: started before its test (the gateway too if asked) and stopped after.
 * A scenario that needs more processes adds its own beforeAll, which runs after this one.
 */
export function useFaultStack(scenario: string, options: FaultStackOptions): FaultStack {
  const stack = new FaultStack(scenario, options.kafkaNodes);
  beforeAll(() => stack.start(options), 180_000);
  afterAll(() => stack.stop(), 60_000);
  return stack;
}
