import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import path from 'node:path';
import { ROOT, sleep } from '../../../bench/support/bench-stack';

/**
 * `npm start` after `npm run build`: scripts/stack.js as its own process group, its output kept
 * (and written to `logFile`).
 */
export class NpmStart {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(env: NodeJS.ProcessEnv, logFile: string) {
    // Its own group, so that `ctrlC` reaches everything a terminal's Ctrl-C would, and only that.
    this.child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'stack.js')], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let rest = '';
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        this.lines.push(...parts);
        appendFileSync(logFile, parts.map((line) => `${line}\n`).join(''));
      });
    }
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get output(): string {
    return this.lines.join('\n');
  }

  /** Until a line matches (its match), or the stack exits, or the time is up. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    for (;;) {
      for (const line of this.lines) {
        const match = line.match(pattern);
        if (match) return match;
      }
      if (exited || Date.now() > deadline) {
        throw new Error(`no line matching ${pattern}; the stack said:\n${this.output}`);
      }
      await sleep(200);
    }
  }

  /** SIGINT to the whole process group, as Ctrl-C in a terminal; answers the exit code. */
  ctrlC(): Promise<number | null> {
    process.kill(-this.child.pid!, 'SIGINT');
    return this.exited;
  }

  /** Whatever is left of the group (a failed test), without waiting for grace. */
  kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Whether anything accepts TCP connections on 127.0.0.1:port. */
export function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
