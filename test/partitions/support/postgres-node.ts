import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';
import { sleep } from '../../../bench/support/bench-stack';
import { Network, run } from './network';

const BIN = process.env.PARTITIONS_PG_BIN || '/usr/lib/postgresql/15/bin';
const PG_USER = 'postgres';

/**
 * A PostgreSQL server of its own (initdb, pg_ctl) in its node's namespace, listening on the node's
 * address only, run as the postgres user. A second one can be made a streaming standby of the first
 * (pg_basebackup), synchronous or not, and promoted.
 */
export class PostgresNode {
  readonly dataDir: string;
  private readonly log: string;
  private readonly logDir: string;

  constructor(
    private readonly network: Network,
    readonly node: string,
    root: string,
  ) {
    this.dataDir = path.join(root, node);
    this.logDir = path.join(root, `${node}-log`);
    this.log = path.join(this.logDir, 'postgres.log');
  }

  get host(): string {
    return this.network.ipOf(this.node);
  }

  /** postgres://postgres@<address>:5432/<database> */
  url(database: string): string {
    return `postgres://${PG_USER}@${this.host}:5432/${database}`;
  }

  private asPostgres(command: string[]): string {
    return run('ip', [
      'netns',
      'exec',
      this.network.namespace(this.node),
      'runuser',
      '-u',
      PG_USER,
      '--',
      ...command,
    ]);
  }

  private ownedDir(dir: string): void {
    mkdirSync(dir, { recursive: true });
    const { uid, gid } = postgresIds();
    chownSync(dir, uid, gid);
  }

  /** A new cluster, configured for the suite's subnet and for streaming replication. */
  init(): void {
    this.ownedDir(this.dataDir);
    this.ownedDir(this.logDir);
    this.asPostgres([
      `${BIN}/initdb`,
      '-D',
      this.dataDir,
      '-U',
      PG_USER,
      '--auth=trust',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    const subnet = `${this.network.address(0)}/24`;
    appendFileSync(
      path.join(this.dataDir, 'pg_hba.conf'),
      `host all all ${subnet} trust\nhost replication all ${subnet} trust\n`,
    );
    appendFileSync(path.join(this.dataDir, 'postgresql.conf'), this.settings());
  }

  private settings(): string {
    return [
      // Its own address and the floating one when it holds it (its namespace has no other).
      `listen_addresses = '*'`,
      `port = 5432`,
      // Not the data directory: a base backup would copy the socket's lock file with it.
      `unix_socket_directories = '${this.logDir}'`,
      `max_connections = 200`,
      `shared_buffers = 48MB`,
      `fsync = off`,
      `wal_level = replica`,
      `max_wal_senders = 5`,
      `wal_keep_size = 256MB`,
      `hot_standby = on`,
      `cluster_name = '${this.node}'`,
      '',
    ].join('\n');
  }

  /**
   * Makes this node a streaming standby of `primary` (a base backup of it). The standby announces
   * itself by its node name, which is what `synchronous_standby_names` on the primary names.
   */
  standbyOf(primary: PostgresNode): void {
    this.ownedDir(this.dataDir);
    this.ownedDir(this.logDir);
    this.asPostgres([
      `${BIN}/pg_basebackup`,
      '-h',
      primary.host,
      '-U',
      PG_USER,
      '-D',
      this.dataDir,
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
      '--no-sync',
    ]);
    // The copied configuration is the primary's: this node listens on its own address.
    appendFileSync(path.join(this.dataDir, 'postgresql.auto.conf'), this.settings());
    chmodSync(this.dataDir, 0o700);
  }

  start(): void {
    this.ownedDir(this.logDir);
    this.asPostgres([
      `${BIN}/pg_ctl`,
      '-D',
      this.dataDir,
      '-l',
      this.log,
      '-w',
      '-t',
      '60',
      'start',
    ]);
  }

  /** Waits on the primary until `standby` streams to it (and, if asked, synchronously). */
  async waitStreaming(standby: string, sync: boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const state = this.sql(
        `SELECT sync_state FROM pg_stat_replication WHERE application_name = '${standby}' AND state = 'streaming'`,
      ).trim();
      if (state !== '' && (!sync || state === 'sync')) return;
      if (Date.now() > deadline) throw new Error(`${standby} does not stream to ${this.node}`);
      await sleep(250);
    }
  }

  /** One statement through psql on the node's own socket; answers its unaligned output. */
  sql(statement: string): string {
    return this.asPostgres([
      `${BIN}/psql`,
      '-h',
      this.logDir,
      '-U',
      PG_USER,
      '-d',
      'postgres',
      '-AtX',
      '-c',
      statement,
    ]);
  }

  /** Sets synchronous_standby_names (empty: asynchronous) and reloads. */
  setSynchronousStandby(name: string): void {
    this.sql(`ALTER SYSTEM SET synchronous_standby_names = '${name}'`);
    this.sql('SELECT pg_reload_conf()');
  }

  /** `kill -9` of the postmaster: no shutdown, no last WAL sent. */
  kill(): void {
    const pidFile = path.join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) throw new Error(`${this.node} is not running`);
    const pid = readFileSync(pidFile, 'utf8').split('\n')[0];
    run('kill', ['-KILL', pid]);
  }

  /** Removes the data directory (after a failover, the old primary is made again as a standby). */
  wipe(): void {
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** A standby becomes a primary (and waits until it is one). */
  promote(): void {
    this.asPostgres([`${BIN}/pg_ctl`, '-D', this.dataDir, '-w', '-t', '60', 'promote']);
  }

  /** Stops at once (no checkpoint), or `fast` (a clean shutdown); quiet if it is not running. */
  stop(mode: 'immediate' | 'fast' = 'immediate'): void {
    if (!existsSync(path.join(this.dataDir, 'postmaster.pid'))) return;
    this.asPostgres([`${BIN}/pg_ctl`, '-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  /** Whether its postmaster is alive (a server that shut itself down after a PANIC is not). */
  running(): boolean {
    const pidFile = path.join(this.dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return false;
    const pid = readFileSync(pidFile, 'utf8').split('\n')[0];
    const stat = `/proc/${pid}/stat`;
    // A postmaster that exited and was not reaped yet (a zombie) is not running either.
    return existsSync(stat) && !/^\d+ \(.*\) Z/.test(readFileSync(stat, 'utf8'));
  }
}

export function postgresIds(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${PG_USER}:`));
  if (!line) throw new Error('no postgres user on this machine');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
