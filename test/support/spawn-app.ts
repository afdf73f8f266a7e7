import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { APP_NODE_FLAGS } from '../../scripts/app-node-flags';
import { eventually } from './wait';

const ROOT = join(__dirname, '..', '..');

/** The built `main.js` of an app, as `npm start` and production run it. */
export function distMain(app: 'ai-gateway' | 'credit-store'): string {
  return join(ROOT, 'dist', 'apps', app, 'apps', app, 'src', 'main.js');
}

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/**
 * Runs a built app as its own process, with the flags it runs with everywhere and the run's env
 * plus `env`; output is collected.
 */
export function spawnApp(
  app: 'ai-gateway' | 'credit-store',
  env: Record<string, string | undefined>,
  args: string[] = [],
): { child: ChildProcess; output: () => string; exited: Promise<Exited> } {
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, distMain(app), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<Exited>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, output })),
  );
  return { child, output: () => output, exited };
}

/** Runs it until it exits by itself (killed after `timeoutMs`, which fails the caller's check). */
export async function runToExit(
  app: 'ai-gateway' | 'credit-store',
  env: Record<string, string | undefined>,
  args: string[] = [],
  timeoutMs = 30_000,
): Promise<Exited> {
  const running = spawnApp(app, env, args);
  const timer = setTimeout(() => running.child.kill('SIGKILL'), timeoutMs);
  try {
    return await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** A port nothing listens on right now, for an app spawned as its own process. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * The built gateway as its own process on a free port (its output collected), once its
 * /health/ready answers 200.
 */
export async function spawnReadyGateway(env: Record<string, string | undefined>) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const gateway = spawnApp('ai-gateway', { GATEWAY_PORT: String(port), ...env });
  await eventually(async () => expect((await fetch(`${url}/health/ready`)).status).toBe(200), {
    timeoutMs: 30_000,
  });
  return { gateway, url };
}
