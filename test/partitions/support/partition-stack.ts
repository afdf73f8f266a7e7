import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Admin, Kafka, PartitionMetadata, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { Topics } from '@tally/contracts';
import {
  AppName,
  ROOT,
  appMain,
  json,
  sleep,
  topicSize,
  waitConsumed,
  waitOutboxDrained,
  waitReady,
} from '../../../bench/support/bench-stack';
import { APP_NODE_FLAGS } from '../../../scripts/app-node-flags';
import type { CheckedStack } from '../../faults/support/checked-stack';
import {
  CHECKER_APPLICATION_NAME,
  FAULT_TOKENS,
  Reconciliation,
} from '../../faults/support/fault-stack';
import { CHAT_MODEL, CHAT_PORT } from './chat-model';
import { KafkaNodes } from './kafka-nodes';
import { Network } from './network';
import { PARTITIONS } from './partition-config';
import { PostgresNode } from './postgres-node';
import { unmountAllUnder } from './small-disk';

const CONSUMER_GROUP = 'credit-store';

/** Each process's node and the last byte of its address. */
export const NODES = {
  pg1: 10,
  pg2: 11,
  k1: 21,
  k2: 22,
  k3: 23,
  gw: 31,
  gw2: 32,
  cs: 41,
  cs2: 42,
  up: 51,
} as const;

/** Every app of a scenario by `name` (`#2`: the second, on node gw2 or cs2). */
export const APP_KEYS = ['credit-store', 'credit-store#2', 'ai-gateway', 'ai-gateway#2'];

/** The floating address of the PostgreSQL primary, the one host in the apps' database URLs. */
export const DATABASE_VIP = 9;

const APP_NODE: Record<AppName, string> = { 'ai-gateway': 'gw', 'credit-store': 'cs' };
const APP_PORT: Record<AppName, number> = { 'ai-gateway': 3000, 'credit-store': 3001 };

/**
 * The partition suite's world: a network of namespaces (network.ts), a PostgreSQL primary and a
 * streaming standby, three Kafka nodes, the chat upstream (the project's fake, node `up`), and per
 * scenario fresh databases with two credit-stores and two gateways started from dist/ inside their
 * own namespaces (gw calls cs, gw2 calls cs2). The suite itself (checker and load client) talks to
 * all of them over the bridge, so a fault on a node's link never cuts the suite's own view of the
 * others.
 */
export class PartitionStack implements CheckedStack {
  readonly network = new Network();
  readonly dataRoot: string;
  /** Roles swap at a failover. */
  primary: PostgresNode;
  standby: PostgresNode;
  readonly kafkaNodes: KafkaNodes;
  readonly kafka: Kafka;
  storeDb!: Client;
  gatewayDb!: Client;
  private admin?: Admin;
  /** Running apps by `name` (the second credit-store is `credit-store#2`, on node cs2). */
  private readonly apps = new Map<string, ChildProcess>();
  private scenario = '';
  private databases: [string, string] = ['', ''];
  /** What the charge topic held when the scenario started (the cluster outlives scenarios). */
  private chargeTopicStart = 0;

  constructor() {
    this.dataRoot = mkdtempSync(`/tmp/tally-partitions-${PARTITIONS.netnsPrefix}-`);
    // PostgreSQL runs as the postgres user, which must reach its data directory inside.
    chmodSync(this.dataRoot, 0o755);
    this.primary = new PostgresNode(this.network, 'pg1', this.dataRoot);
    this.standby = new PostgresNode(this.network, 'pg2', this.dataRoot);
    this.kafkaNodes = new KafkaNodes(this.network, this.dataRoot, ['k1', 'k2', 'k3']);
    this.kafka = new Kafka({
      clientId: 'tally-partitions',
      brokers: [NODES.k1, NODES.k2, NODES.k3].map((host) => `${this.network.address(host)}:9092`),
      logLevel: logLevel.NOTHING,
    });
  }

  get storeUrl(): string {
    return this.urlOf('credit-store');
  }

  get gatewayUrl(): string {
    return this.urlOf('ai-gateway');
  }

  /** Both gateways, the one the scenarios cut (gw) first. */
  get gatewayUrls(): string[] {
    return [this.urlOf('ai-gateway'), this.urlOf('ai-gateway', 2)];
  }

  /** The gateways' chat upstream (OpenAI's convention: ends in /v1). */
  get upstreamUrl(): string {
    return `http://${this.network.ipOf('up')}:${CHAT_PORT}/v1`;
  }

  urlOf(name: AppName, replica = 1): string {
    const node = replica === 1 ? APP_NODE[name] : `${APP_NODE[name]}${replica}`;
    return `http://${this.network.ipOf(node)}:${APP_PORT[name]}`;
  }

  /** Network, PostgreSQL (primary alone), the Kafka cluster, the chat upstream. */
  async up(): Promise<void> {
    this.network.up();
    for (const [name, host] of Object.entries(NODES)) this.network.addNode({ name, host });
    this.primary.init();
    this.primary.start();
    this.network.addAddress(this.primary.node, DATABASE_VIP);
    await this.prepareStandby(true);
    await this.kafkaNodes.format();
    await this.kafkaNodes.start();
    this.admin = this.kafka.admin();
    await this.admin.connect();
    await this.startUpstream();
  }

  /** The fake upstream in node `up`, until it answers HTTP (any status) on its address. */
  private async startUpstream(): Promise<void> {
    const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx');
    const main = path.join(__dirname, 'upstream-main.ts');
    const env = { PATH: process.env.PATH };
    const upstream = this.spawnIn('up', [tsx, main], env, this.logFile('upstream'));
    const deadline = Date.now() + 60_000;
    while (
      !(await fetch(`${this.upstreamUrl}/models`).then(
        () => true,
        () => false,
      ))
    ) {
      if (upstream.exitCode !== null) throw new Error('the fake upstream exited');
      if (Date.now() > deadline) throw new Error('the fake upstream did not listen within 60 s');
      await sleep(250);
    }
  }

  private logFile(name: string): number {
    const logDir = path.join(ROOT, '.cache', 'partitions');
    mkdirSync(logDir, { recursive: true });
    return openSync(path.join(logDir, `${name}.log`), 'a');
  }

  /**
   * Fresh databases for `scenario`, then the apps in their namespaces: the first credit-store and
   * gateway one after the other (each runs its migrations), the second ones together. `only` adds
   * settings to the first of one app alone (replicas get `extra` only).
   */
  async startScenario(
    scenario: string,
    extra: NodeJS.ProcessEnv = {},
    only: Partial<Record<AppName, NodeJS.ProcessEnv>> = {},
  ): Promise<void> {
    this.scenario = scenario;
    const prefix = `${PARTITIONS.databasePrefix}_${scenario}`;
    const [store, gateway] = [`${prefix}_credit_store`, `${prefix}_gateway`];
    await this.recreate([store, gateway]);
    this.databases = [store, gateway];
    await this.connectChecker();
    this.chargeTopicStart = await topicSize(this.admin!, Topics.chargeRequested).catch(() => 0);
    const env = this.appEnv(store, gateway, extra);
    await this.startApp('credit-store', { ...env, ...only['credit-store'] });
    await this.startApp('ai-gateway', { ...env, ...only['ai-gateway'] });
    await Promise.all([this.startApp('credit-store', env, 2), this.startApp('ai-gateway', env, 2)]);
    this.env = env;
  }

  /** Every app killed, the checker's connections closed. */
  async stopScenario(): Promise<void> {
    for (const name of [...this.apps.keys()]) await this.killApp(name);
    await Promise.all([this.storeDb?.end(), this.gatewayDb?.end()].map((p) => p?.catch(() => {})));
  }

  /** The checker's own connections (again after a failover: the old ones died with the primary). */
  async connectChecker(): Promise<void> {
    await Promise.all([this.storeDb?.end(), this.gatewayDb?.end()].map((p) => p?.catch(() => {})));
    [this.storeDb, this.gatewayDb] = this.databases.map((name) => this.checkerClient(name));
    await Promise.all([this.storeDb.connect(), this.gatewayDb.connect()]);
  }

  private checkerClient(database: string): Client {
    const client = new Client({
      connectionString: `postgres://postgres@${this.network.address(DATABASE_VIP)}:5432/${database}`,
      application_name: CHECKER_APPLICATION_NAME,
      connectionTimeoutMillis: 10_000,
    });
    // A connection killed with its server must not take the suite down; the next query says so.
    client.on('error', () => undefined);
    return client;
  }

  /**
   * The standby streaming from the primary, synchronously (`synchronous_standby_names` names it)
   * or not; after a failover the old primary is made again from a base backup of the new one.
   */
  async prepareStandby(sync: boolean): Promise<void> {
    const running = this.standbyStreams();
    if (!running) {
      try {
        this.standby.stop();
      } catch {
        // a killed primary leaves a stale pid file behind; its directory goes anyway
      }
      this.standby.wipe();
      this.standby.standbyOf(this.primary);
      this.standby.start();
    }
    this.primary.setSynchronousStandby(sync ? this.standby.node : '');
    await this.primary.waitStreaming(this.standby.node, sync);
  }

  private standbyStreams(): boolean {
    try {
      return this.primary.sql(`SELECT count(*) FROM pg_stat_replication`).trim() !== '0';
    } catch {
      return false;
    }
  }

  /**
   * The primary's machine dies: its link cut (nothing it had open answers again, not even with a
   * reset) and its server killed (kill -9); the standby promoted (pg_ctl promote) and the floating
   * address moved to it; the apps are not told anything. The old node's link comes back once the
   * address has left it (its server stays dead). Answers the seconds from the kill to the move.
   */
  async failover(): Promise<number> {
    const started = Date.now();
    const [old, next] = [this.primary, this.standby];
    this.network.cut(old.node);
    old.kill();
    next.promote();
    this.network.moveAddress(DATABASE_VIP, old.node, next.node);
    this.network.heal(old.node);
    [this.primary, this.standby] = [next, old];
    await this.connectChecker();
    return (Date.now() - started) / 1000;
  }

  private async recreate(databases: string[]): Promise<void> {
    const admin = this.checkerClient('postgres');
    await admin.connect();
    try {
      for (const name of databases) {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${name}`);
      }
    } finally {
      await admin.end();
    }
  }

  private appEnv(store: string, gateway: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    const db = (name: string) =>
      `postgres://postgres@${this.network.address(DATABASE_VIP)}:5432/${name}`;
    return {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      // Each app alone in its namespace, reached over the bridge.
      HOST: '0.0.0.0',
      KAFKA_BROKERS: this.kafkaNodes.brokers.join(','),
      CREDIT_STORE_DATABASE_URL: db(store),
      GATEWAY_DATABASE_URL: db(gateway),
      CREDIT_STORE_PORT: String(APP_PORT['credit-store']),
      GATEWAY_PORT: String(APP_PORT['ai-gateway']),
      UPSTREAMS: JSON.stringify([
        { id: 'up', provider: 'openai', base_url: this.upstreamUrl, models: [CHAT_MODEL] },
      ]),
      ADMIN_TOKEN: FAULT_TOKENS.admin,
      INTERNAL_TOKEN: FAULT_TOKENS.internal,
      LOG_LEVELS: 'error,warn',
      CREDIT_STORE_CONSUMER_GROUP: CONSUMER_GROUP,
      JOB_INTERVAL_SECONDS: '0',
      KAFKA_CONSUMER_SESSION_TIMEOUT_MS: '6000',
      ...extra,
    };
  }

  private env: NodeJS.ProcessEnv = {};

  /**
   * Migrations, then the app, inside its namespace; resolves when /health/ready answers 200. A
   * gateway calls the credit-store of its own number.
   */
  async startApp(name: AppName, base: NodeJS.ProcessEnv = this.env, replica = 1): Promise<void> {
    this.env = base;
    const node = replica === 1 ? APP_NODE[name] : `${APP_NODE[name]}${replica}`;
    const key = replica === 1 ? name : `${name}#${replica}`;
    const env = { ...base, CREDIT_STORE_URL: this.urlOf('credit-store', replica) };
    const output = this.logFile(`${this.scenario}-${key}`);
    const migrate = this.spawnIn(node, [process.execPath, appMain(name), 'migrate'], env, output);
    const code = await new Promise<number | null>((resolve) => migrate.once('exit', resolve));
    if (code !== 0) throw new Error(`${name} migrations failed (${code})`);
    const child = this.spawnIn(
      node,
      [process.execPath, ...APP_NODE_FLAGS, appMain(name)],
      env,
      output,
    );
    this.apps.set(key, child);
    await waitReady(this.urlOf(name, replica), 90_000);
  }

  private spawnIn(node: string, command: string[], env: NodeJS.ProcessEnv, output: number) {
    const [bin, ...args] = this.network.exec(node, command);
    return spawn(bin, args, { env, stdio: ['ignore', output, output] });
  }

  async killApp(key: string): Promise<void> {
    const child = this.apps.get(key);
    this.apps.delete(key);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(10_000)]);
  }

  /** Whether every app of the scenario is still alive (none needed a restart). */
  allRunning(): boolean {
    return APP_KEYS.every((key) => this.isRunning(key));
  }

  isRunning(key: string): boolean {
    const child = this.apps.get(key);
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  waitConsumed(timeoutMs = 180_000): Promise<void> {
    return waitConsumed(this.admin!, CONSUMER_GROUP, Topics.chargeRequested, timeoutMs);
  }

  waitOutboxDrained(timeoutMs = 180_000): Promise<void> {
    return waitOutboxDrained(this.gatewayDb, timeoutMs);
  }

  /** Messages `topic` took in during this scenario. */
  async topicSize(topic: string): Promise<number> {
    const start = topic === Topics.chargeRequested ? this.chargeTopicStart : 0;
    return (await topicSize(this.admin!, topic)) - start;
  }

  /** The partitions of `topic` (leader, replicas, in-sync replicas). */
  async partitions(topic: string): Promise<PartitionMetadata[]> {
    const { topics } = await this.admin!.fetchTopicMetadata({ topics: [topic] });
    return topics[0].partitions;
  }

  /** Until no partition of `topic` is led by `node` (answers the seconds it took). */
  async waitLeadersAway(topic: string, node: string, timeoutMs = 90_000): Promise<number> {
    const id = this.kafkaNodes.nodes.indexOf(node) + 1;
    const started = Date.now();
    for (;;) {
      const partitions = await this.partitions(topic).catch(() => undefined);
      if (partitions?.every((p) => p.leader >= 0 && p.leader !== id)) {
        return (Date.now() - started) / 1000;
      }
      if (Date.now() - started > timeoutMs) throw new Error(`${topic} kept ${node} as a leader`);
      await sleep(200);
    }
  }

  /** Until every partition of `topics` has all its replicas in sync again. */
  async waitFullyReplicated(topics: string[], timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const synced = await this.admin!.fetchTopicMetadata({ topics })
        .then(({ topics: all }) =>
          all.every((t) => t.partitions.every((p) => p.isr.length === p.replicas.length)),
        )
        .catch(() => false);
      if (synced) return;
      if (Date.now() > deadline) throw new Error(`${topics.join(', ')} not back in sync in time`);
      await sleep(250);
    }
  }

  async reconciliation(): Promise<Reconciliation> {
    const { status, body } = await json(
      'GET',
      `${this.storeUrl}/finance/reconciliation`,
      FAULT_TOKENS.admin,
    );
    if (status !== 200) throw new Error(`reconciliation answered ${status}`);
    return body as unknown as Reconciliation;
  }

  /** Everything undone: apps, brokers, PostgreSQL, the network, the data. Answers what stayed. */
  async down(): Promise<string[]> {
    await this.stopScenario().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    await this.kafkaNodes.stop();
    for (const pg of [this.standby, this.primary]) {
      try {
        pg.stop();
      } catch {
        // its namespace's processes are killed with the network below
      }
    }
    const left = this.network.down();
    left.push(...unmountAllUnder(this.dataRoot).map((point) => `mount ${point}`));
    rmSync(this.dataRoot, { recursive: true, force: true });
    return left;
  }
}
