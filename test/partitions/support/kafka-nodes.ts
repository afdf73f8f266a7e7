import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { ROOT, sleep } from '../../../bench/support/bench-stack';
import { Network } from './network';

const LIBS = path.join(ROOT, '.cache', 'kafka', 'libs');
const JVM = [
  `-Dlog4j.configuration=file:${path.join(ROOT, 'kafka', 'log4j.properties')}`,
  '-Xms128m',
  '-Xmx256m',
  '-XX:+UseG1GC',
  '-Djava.awt.headless=true',
];

/**
 * Three KRaft nodes (broker and controller each), one per namespace, listening on their node's
 * address: the same settings as scripts/kafka.sh's cluster (topics RF 3, min ISR 2, internal topics
 * likewise), so that a node can be cut off from the other two.
 */
export class KafkaNodes {
  private readonly processes = new Map<string, ChildProcess>();
  readonly nodes: string[];

  constructor(
    private readonly network: Network,
    private readonly root: string,
    nodes: string[],
  ) {
    this.nodes = nodes;
  }

  get brokers(): string[] {
    return this.nodes.map((node) => `${this.network.ipOf(node)}:9092`);
  }

  /** The node (1-based id) behind a broker id. */
  nodeOf(id: number): string {
    return this.nodes[id - 1];
  }

  private dir(node: string): string {
    return path.join(this.root, node);
  }

  /** The node's log directory (its partitions and, in KRaft, the metadata log). */
  logDir(node: string): string {
    return path.join(this.dir(node), 'logs');
  }

  /** Whether the node's process is alive (a broker whose log directory failed exits). */
  running(node: string): boolean {
    const child = this.processes.get(node);
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  private properties(node: string, id: number): string {
    const voters = this.nodes.map((n, i) => `${i + 1}@${this.network.ipOf(n)}:9093`).join(',');
    const ip = this.network.ipOf(node);
    return [
      'process.roles=broker,controller',
      `node.id=${id}`,
      `controller.quorum.voters=${voters}`,
      `listeners=PLAINTEXT://${ip}:9092,CONTROLLER://${ip}:9093`,
      `advertised.listeners=PLAINTEXT://${ip}:9092`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      `log.dirs=${this.logDir(node)}`,
      'num.partitions=6',
      'auto.create.topics.enable=false',
      'offsets.topic.replication.factor=3',
      'offsets.topic.num.partitions=6',
      'transaction.state.log.replication.factor=3',
      'transaction.state.log.min.isr=2',
      'min.insync.replicas=2',
      'default.replication.factor=3',
      'unclean.leader.election.enable=false',
      'group.initial.rebalance.delay.ms=0',
      // A follower cut off leaves the ISR after this long (30 s by default).
      'replica.lag.time.max.ms=10000',
      'log.cleaner.dedupe.buffer.size=33554432',
      '',
    ].join('\n');
  }

  /** Formats each node's storage with one cluster id (side by side: a JVM each). */
  async format(): Promise<void> {
    const clusterId = randomBytes(16).toString('base64url');
    await Promise.all(
      this.nodes.map((node, i) => {
        mkdirSync(path.join(this.dir(node), 'logs'), { recursive: true });
        const config = path.join(this.dir(node), 'server.properties');
        writeFileSync(config, this.properties(node, i + 1));
        return this.java(
          node,
          [
            'kafka.tools.StorageTool',
            'format',
            '-t',
            clusterId,
            '-c',
            config,
            '--ignore-formatted',
          ],
          true,
        );
      }),
    );
  }

  private java(node: string, args: string[], waitExit: boolean): Promise<ChildProcess> {
    const log = openSync(path.join(this.dir(node), 'broker.log'), 'a');
    const [command, ...rest] = this.network.exec(node, [
      'java',
      '-cp',
      `${LIBS}/*`,
      ...JVM,
      ...args,
    ]);
    // In the node's directory: a JVM that dies of a fault (a full disk) writes its report there.
    const child = spawn(command, rest, { cwd: this.dir(node), stdio: ['ignore', log, log] });
    if (!waitExit) return Promise.resolve(child);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve(child);
        else reject(new Error(`${args[0]} on ${node} exited ${code}`));
      });
    });
  }

  /** Starts every node not running; resolves when the cluster reports all three brokers. */
  async start(timeoutMs = 180_000): Promise<void> {
    for (const node of this.nodes) {
      const running = this.processes.get(node);
      if (running && running.exitCode === null && running.signalCode === null) continue;
      const config = path.join(this.dir(node), 'server.properties');
      this.processes.set(node, await this.java(node, ['kafka.Kafka', config], false));
    }
    await this.waitBrokers(this.nodes.length, timeoutMs);
  }

  /** Until the cluster (asked from the suite's side) reports `count` live brokers. */
  async waitBrokers(count: number, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const [node, child] of this.processes) {
        if (child.exitCode !== null) {
          const log = readFileSync(path.join(this.dir(node), 'broker.log'), 'utf8');
          throw new Error(`kafka on ${node} exited ${child.exitCode}: ${log.slice(-2000)}`);
        }
      }
      const alive = await this.liveBrokers().catch(() => 0);
      if (alive >= count) return;
      if (Date.now() > deadline) throw new Error(`the cluster has ${alive} of ${count} brokers`);
      await sleep(500);
    }
  }

  private async liveBrokers(): Promise<number> {
    const admin = new Kafka({
      clientId: 'tally-partitions-probe',
      brokers: this.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 2000,
      retry: { retries: 0 },
    }).admin();
    await admin.connect();
    try {
      return (await admin.describeCluster()).brokers.length;
    } finally {
      await admin.disconnect();
    }
  }

  /** SIGKILL of every node, waiting until each has exited (bounded). */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.processes.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await Promise.race([exited, sleep(10_000)]);
      }),
    );
    this.processes.clear();
  }
}
