import { Agent, request } from 'node:http';
import { connect, Socket } from 'node:net';

/** What a raw request got: a status, or the way its connection failed. */
export interface RawAnswer {
  status?: number;
  headers?: Record<string, string | string[] | undefined>;
  error?: string;
  ms: number;
}

/**
 * One request on its own connection, from `localAddress` (any 127.x.y.z is this machine, and a
 * server tells clients apart by it), its body written `bytesPerSecond` at a time if given. Resolves
 * with the status as soon as the head of the answer arrives, even while the body is still going out.
 */
export function rawRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    localAddress?: string;
    bytesPerSecond?: number;
  },
): Promise<RawAnswer> {
  const started = Date.now();
  return new Promise((resolve) => {
    const done = (answer: Omit<RawAnswer, 'ms'>) =>
      resolve({ ...answer, ms: Date.now() - started });
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = request(url, {
      method: options.method ?? (body ? 'POST' : 'GET'),
      // Its own connection, kept alive as real clients keep theirs: a server that answers before
      // the body is in then reads the rest rather than closing on it.
      agent: new Agent({ keepAlive: true }),
      localAddress: options.localAddress,
      headers: {
        ...(body ? { 'content-type': 'application/json', 'content-length': body.length } : {}),
        ...options.headers,
      },
    });
    req.on('response', (res) => {
      done({ status: res.statusCode, headers: res.headers });
      res.resume();
      // The answer is all this client wanted: it stops sending, as a real one would.
      req.destroy();
    });
    req.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
    if (!body) return void req.end();
    if (!options.bytesPerSecond) return void req.end(body);
    let sent = 0;
    req.flushHeaders();
    // Stops by itself once the request is answered or failed (destroyed either way).
    const timer = setInterval(() => {
      if (req.destroyed) return clearInterval(timer);
      req.write(body.subarray(sent, sent + options.bytesPerSecond!));
      sent += options.bytesPerSecond!;
      if (sent >= body.length) {
        clearInterval(timer);
        req.end();
      }
    }, 1000);
  });
}

/** `count` connections that say nothing; each is `closed` once the server has hung it up. */
export async function idleConnections(
  port: number,
  count: number,
): Promise<{ sockets: Socket[]; closed: () => number }> {
  let closed = 0;
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve) => {
          const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
          socket.on('error', () => undefined);
          socket.on('close', () => closed++);
          // A connection refused outright still counts as hung up.
          socket.on('close', () => resolve(socket));
        }),
    ),
  );
  return { sockets, closed: () => closed };
}
