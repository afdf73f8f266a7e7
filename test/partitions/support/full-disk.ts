import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, sleep } from '../../../bench/support/bench-stack';
import type { PartitionStack } from './partition-stack';
import { PostgresNode, postgresIds } from './postgres-node';
import { SmallDisk } from './small-disk';

const ROOT_OWNER = { uid: 0, gid: 0 };
/** pg_wal's filesystem, and what keeps pg_wal well within it until the filler comes. */
const WAL_DISK_MB = 96;
const WAL_SETTINGS = {
  wal_keep_size: '0',
  min_wal_size: '32MB',
  max_wal_size: '48MB',
  // Each new segment is a new file (not an old one renamed), so a full disk is met within one
  // segment (16 MB) of WAL rather than whenever the recycled ones run out.
  wal_recycle: 'off',
};
const KAFKA_DISK_MB = 64;
/** How long a server may take to fail once its disk is full, or to serve again once freed. */
const WITHIN_MS = 120_000;
const NUDGE_EVERY_MS = 5_000;
const STARTED_AGAIN = 'started again, as its supervisor would';
/**
 * Three JVMs recovering their logs at once: on the shared 2-core machine the brokers took over
 * three minutes to register again after a fill, past KafkaNodes' own bound of 180 s.
 */
const KAFKA_START_MS = 600_000;

/** What filling a disk did: how long the server took to go down, how it was helped along. */
export interface DiskFull {
  secondsToDown: number;
  /** WAL switches asked for while it was still up (each needs a new segment); 0 for Kafka. */
  nudges: number;
}

const LOG_DIR = path.join(ROOT, '.cache', 'partitions');

/** A server's own log kept beside the apps' (its data directory goes at teardown). */
function keepLog(from: string, name: string): void {
  mkdirSync(LOG_DIR, { recursive: true });
  copyFileSync(from, path.join(LOG_DIR, name));
}

/**
 * The 500s both apps logged for a scenario from now on (every 5xx answer is logged as an error).
 * The load client may give up on a request before its answer comes: the apps' own record of what
 * they answered is the one that cannot miss a 500.
 */
export function internalErrorsFrom(scenario: string): () => number {
  const files = ['ai-gateway', 'credit-store'].map((app) =>
    path.join(LOG_DIR, `${scenario}-${app}.log`),
  );
  const starts = files.map((file) => (existsSync(file) ? statSync(file).size : 0));
  return () =>
    files.reduce((sum, file, i) => {
      if (!existsSync(file)) return sum;
      const written = readFileSync(file).subarray(starts[i]).toString('utf8');
      return sum + (written.match(/"statusCode":500\b/g) ?? []).length;
    }, 0);
}

async function until(what: string, done: () => boolean, nudge?: () => void): Promise<number> {
  const started = Date.now();
  let lastNudge = started;
  let nudges = 0;
  while (!done()) {
    if (Date.now() - started > WITHIN_MS) throw new Error(`${what} in time`);
    if (nudge && Date.now() - lastNudge > NUDGE_EVERY_MS) {
      nudge();
      nudges++;
      lastNudge = Date.now();
    }
    await sleep(250);
  }
  return nudges;
}

/**
 * The PostgreSQL primary's pg_wal on a small filesystem of its own. Filled, the primary PANICs when
 * it next needs room for WAL; its crash recovery then fails the same way, and it either keeps
 * trying (the postmaster alive, nothing served) or shuts down and stays down. `restart` frees the
 * room and, if the postmaster is gone, starts it as its supervisor (systemd `Restart=always`,
 * Patroni) would. The apps are not touched.
 */
export class WalDisk {
  private readonly pg: PostgresNode;
  private readonly disk: SmallDisk;

  constructor(private readonly stack: PartitionStack) {
    this.pg = stack.primary;
    this.disk = new SmallDisk(
      path.join(stack.dataRoot, `${this.pg.node}-walfs`),
      WAL_DISK_MB,
      postgresIds(),
      false,
    );
  }

  private get walDir(): string {
    return path.join(this.pg.dataDir, 'pg_wal');
  }

  async setUp(): Promise<void> {
    for (const [name, value] of Object.entries(WAL_SETTINGS)) {
      this.pg.sql(`ALTER SYSTEM SET ${name} = '${value}'`);
    }
    this.pg.sql('SELECT pg_reload_conf()');
    this.pg.sql('CHECKPOINT');
    this.pg.stop('fast');
    this.disk.moveOnto(this.walDir);
    this.pg.start();
    await this.pg.waitStreaming(this.stack.standby.node, true);
  }

  /** Fills the disk; resolves once the primary answers no statement any more. */
  async fill(): Promise<DiskFull> {
    const started = Date.now();
    this.disk.fill();
    const nudges = await until(
      `${this.pg.node} kept answering with a full pg_wal`,
      () => !this.answers(),
      () => this.switchWal(),
    );
    return { secondsToDown: (Date.now() - started) / 1000, nudges };
  }

  private answers(): boolean {
    if (!this.pg.running()) return false;
    try {
      this.pg.sql('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private switchWal(): void {
    try {
      this.pg.sql('SELECT pg_switch_wal()');
    } catch {
      // the server is failing: what we wait for
    }
  }

  /** Room again; then serving by itself, or started if its postmaster gave up. Answers which. */
  async restart(): Promise<string> {
    this.disk.free();
    const deadline = Date.now() + WITHIN_MS;
    while (Date.now() < deadline) {
      if (this.answers()) return 'recovered by itself (its postmaster had kept trying)';
      if (!this.pg.running()) {
        this.pg.start();
        return STARTED_AGAIN;
      }
      await sleep(250);
    }
    throw new Error(`${this.pg.node} did not serve again within ${WITHIN_MS} ms of the room`);
  }

  /** pg_wal back on the data directory's disk, the settings as they were. */
  async tearDown(): Promise<void> {
    keepLog(
      path.join(this.stack.dataRoot, `${this.pg.node}-log`, 'postgres.log'),
      'wal_full-postgres.log',
    );
    await this.restart();
    this.pg.stop('fast');
    this.disk.moveBack(this.walDir);
    this.pg.start();
    for (const name of Object.keys(WAL_SETTINGS)) this.pg.sql(`ALTER SYSTEM RESET ${name}`);
    this.pg.sql('SELECT pg_reload_conf()');
    await this.pg.waitStreaming(this.stack.standby.node, true);
  }
}

/**
 * The log directories of some Kafka nodes, each on a small filesystem of its own. Filled, a broker
 * whose only log directory fails shuts down (Kafka's own rule); `restart` frees the room and
 * starts the brokers that exited, as their supervisor would.
 */
export class KafkaDisks {
  private readonly disks: Map<string, SmallDisk>;

  constructor(
    private readonly stack: PartitionStack,
    readonly nodes: string[],
  ) {
    this.disks = new Map(
      nodes.map((node) => [
        node,
        new SmallDisk(path.join(stack.dataRoot, `${node}-logfs`), KAFKA_DISK_MB, ROOT_OWNER, true),
      ]),
    );
  }

  /** With every broker stopped: the chosen log directories moved, then the cluster started. */
  async setUp(): Promise<void> {
    const kafka = this.stack.kafkaNodes;
    await kafka.stop();
    for (const [node, disk] of this.disks) disk.moveOnto(kafka.logDir(node));
    await kafka.start(KAFKA_START_MS);
  }

  async fill(): Promise<DiskFull> {
    const started = Date.now();
    for (const disk of this.disks.values()) disk.fill();
    await until(`${this.nodes.join(', ')} did not all exit with a full log directory`, () =>
      this.nodes.every((node) => !this.stack.kafkaNodes.running(node)),
    );
    return { secondsToDown: (Date.now() - started) / 1000, nudges: 0 };
  }

  /** Room again, and every exited broker started; resolves when the cluster has all three. */
  async restart(): Promise<string> {
    for (const disk of this.disks.values()) disk.free();
    await this.stack.kafkaNodes.start(KAFKA_START_MS);
    return STARTED_AGAIN;
  }

  async tearDown(): Promise<void> {
    const kafka = this.stack.kafkaNodes;
    for (const node of this.nodes) {
      keepLog(path.join(this.stack.dataRoot, node, 'broker.log'), `kafka_full-${node}.log`);
    }
    await kafka.stop();
    for (const [node, disk] of this.disks) disk.moveBack(kafka.logDir(node));
    await kafka.start(KAFKA_START_MS);
  }
}
