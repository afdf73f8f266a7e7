import type { Server } from 'node:http';

export interface HttpLimits {
  /** Longest wait for a request's headers (Node's `headersTimeout`). */
  headersTimeoutMs: number;
  /** Longest wait for a whole request, body included (Node's `requestTimeout`): slow bodies end. */
  requestTimeoutMs: number;
  /** Open connections one client address may hold; past it a new one is closed at once. 0: any. */
  maxConnectionsPerAddress: number;
  /** Bytes of request bodies read and parsed at once, in all and per client address. */
  bodyBytesInFlight: string;
  bodyBytesPerAddress: string;
  /** Most objects and arrays one JSON body may open. */
  bodyMaxContainers: number;
}

/** Node's timeouts for an API, and connections counted per client address. */
export function limitConnections(server: Server, limits: HttpLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  const cap = limits.maxConnectionsPerAddress;
  if (cap === 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const count = (open.get(address) ?? 0) + 1;
    if (count > cap) return void socket.destroy();
    open.set(address, count);
    socket.once('close', () => {
      const left = open.get(address)! - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
