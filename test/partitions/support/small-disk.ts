import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  symlinkSync,
} from 'node:fs';
import path from 'node:path';
import { run } from './network';

const MB = 1024 * 1024;

/**
 * A filesystem of its own for one server directory (a tmpfs of a few tens of MB, as a small volume
 * would be), which a filler file fills up to the last byte and frees again: a full disk made at a
 * known instant, not whenever the load happens to reach it. The directory moves onto it (its old
 * path becomes a symlink) while its server is stopped, and back before it is unmounted.
 */
export class SmallDisk {
  private readonly filler: string;
  /** Where the directory lives while it is on the small disk. */
  readonly home: string;

  constructor(
    readonly mountPoint: string,
    private readonly megabytes: number,
    private readonly owner: { uid: number; gid: number },
    /** Whether holes stay holes in the copy (Kafka's index files are sparse; WAL segments not). */
    private readonly sparse: boolean,
  ) {
    this.filler = path.join(mountPoint, 'filler');
    this.home = path.join(mountPoint, 'data');
  }

  /**
   * A file's holes take no room until written: a WAL segment PostgreSQL wrote whole must stay whole
   * (copied with holes, a write into one of them could fail where PostgreSQL's own would not).
   */
  private get sparseFlag(): string {
    return this.sparse ? '--sparse=always' : '--sparse=never';
  }

  /** Bytes still free for anyone (what a writer of a new block would get). */
  available(): number {
    const stats = statfsSync(this.mountPoint);
    return stats.bavail * stats.bsize;
  }

  /** Mounts the tmpfs and moves `dir`'s contents onto it (its server must be stopped). */
  moveOnto(dir: string): void {
    mkdirSync(this.mountPoint, { recursive: true });
    const { uid, gid } = this.owner;
    run('mount', [
      '-t',
      'tmpfs',
      '-o',
      `size=${this.megabytes}m,mode=0700,uid=${uid},gid=${gid}`,
      'tmpfs',
      this.mountPoint,
    ]);
    if (!mountedAt(this.mountPoint)) throw new Error(`no filesystem mounted at ${this.mountPoint}`);
    mkdirSync(this.home);
    run('cp', ['-a', this.sparseFlag, `${dir}/.`, this.home]);
    run('chown', [`${uid}:${gid}`, this.home]);
    run('chmod', ['0700', this.home]);
    rmSync(dir, { recursive: true, force: true });
    symlinkSync(this.home, dir);
    const used = (this.megabytes * MB - this.available()) / MB;
    if (used > this.megabytes / 2) {
      throw new Error(`${dir} takes ${used.toFixed(1)} of ${this.megabytes} MB: too little room`);
    }
  }

  /**
   * Every free byte taken: most by one fallocate, the last by writing zeros until the filesystem
   * refuses (the server keeps writing meanwhile, so the exact figure is a moving target). Checked.
   */
  fill(): void {
    const bulk = this.available() - 4 * MB;
    if (bulk > 0) run('fallocate', ['-l', String(bulk), this.filler]);
    const tail = spawnSync('dd', ['if=/dev/zero', `of=${this.filler}-tail`, 'bs=64k'], {
      encoding: 'utf8',
      timeout: 15_000,
    });
    if (!/No space left on device/.test(tail.stderr ?? '')) {
      throw new Error(`${this.mountPoint} did not fill up: ${tail.stderr ?? tail.error?.message}`);
    }
    const left = this.available();
    if (left > 0) throw new Error(`${this.mountPoint} still has ${left} bytes free`);
  }

  /** The filler removed: the room is back (checked). */
  free(): void {
    rmSync(this.filler, { force: true });
    rmSync(`${this.filler}-tail`, { force: true });
    const left = this.available();
    if (left < MB) throw new Error(`${this.mountPoint} has only ${left} bytes free after freeing`);
  }

  /** Moves the directory back to `dir` and unmounts (its server must be stopped). */
  moveBack(dir: string): void {
    this.free();
    if (lstatSync(dir).isSymbolicLink()) {
      rmSync(dir);
      run('cp', ['-a', this.sparseFlag, this.home, dir]);
    }
    unmount(this.mountPoint);
  }
}

function mountedAt(point: string): boolean {
  return mountsUnder(point).includes(point);
}

/** Mount points at or below `root` (from /proc/mounts), deepest first. */
function mountsUnder(root: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((point) => point !== undefined && (point === root || point.startsWith(root)))
    .sort((a, b) => b.length - a.length);
}

function unmount(point: string): void {
  run('umount', [point]);
  if (mountedAt(point)) throw new Error(`${point} is still mounted`);
  rmSync(point, { recursive: true, force: true });
}

/**
 * Unmounts whatever a run left mounted under `root` (a crash between moveOnto and moveBack), so
 * that its data directories can be removed; lazily if a process still holds it. Answers what stayed.
 */
export function unmountAllUnder(root: string): string[] {
  for (const point of mountsUnder(root)) {
    try {
      run('umount', [point]);
    } catch {
      try {
        run('umount', ['-l', point]);
      } catch {
        // reported below
      }
    }
  }
  return mountsUnder(root).filter((point) => existsSync(point));
}
