import { createServer } from 'node:net';
import { StartupRefusal } from '../config/startup-refusal';

/**
 * Refuses to start when something already listens on host:port, before the app connects anywhere
 * or says it started (Nest would only find out at the very end, after its start-up lines).
 */
export async function assertPortFree(host: string, port: number, setting: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(portRefusal(error, host, port, setting)),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** EADDRINUSE (or an address not of this machine) as one clear line; anything else unchanged. */
export function portRefusal(error: unknown, host: string, port: number, setting: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new StartupRefusal(
      `cannot listen on ${host}:${port}: the port is in use by another process (stop it, or set ${setting} to a free port)`,
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new StartupRefusal(
      `cannot listen on ${host}:${port}: HOST is not an address of this machine`,
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
