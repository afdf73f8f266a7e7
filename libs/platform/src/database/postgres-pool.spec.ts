import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { Pool } from 'pg';
import { postgresPoolOptions } from './postgres-pool';

/**
 * A server that greets like PostgreSQL (authentication ok, ready for query), then never answers a
 * statement: a link that went silent after the connection was made.
 */
function silentPostgres(): Promise<{ server: Server; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.once('data', () => {
      const authenticationOk = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0]);
      const readyForQuery = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);
      socket.write(Buffer.concat([authenticationOk, readyForQuery]));
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(19300, '127.0.0.1', () => resolve({ server, sockets })),
  );
}

describe('ClientClosedOnTimeout', () => {
  let server: Server;
  let sockets: Socket[];
  let pool: Pool;

  beforeEach(async () => {
    ({ server, sockets } = await silentPostgres());
    const { port } = server.address() as AddressInfo;
    pool = new Pool({
      host: '127.0.0.1',
      port,
      user: 'x',
      database: 'x',
      ...postgresPoolOptions(
        { DATABASE_CONNECT_TIMEOUT_MS: 1000, DATABASE_QUERY_TIMEOUT_MS: 200 },
        'test',
      ),
      max: 1,
    });
  });

  afterEach(async () => {
    await pool.end().catch(() => undefined);
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  /** As TypeORM does: a client taken from the pool, a statement, the client given back without error. */
  async function statement(): Promise<unknown> {
    const client = await pool.connect();
    try {
      return await client.query('SELECT 1');
    } catch (error) {
      return error;
    } finally {
      client.release();
    }
  }

  it('answers a statement the server never answers with a timeout, and closes its connection', async () => {
    const first = Date.now();
    expect(await statement()).toMatchObject({ message: 'Query read timeout' });
    expect(Date.now() - first).toBeLessThan(1000);
    // The next statement goes on a new connection and times out in turn, not behind the first.
    const second = Date.now();
    expect(await statement()).toMatchObject({ message: 'Query read timeout' });
    expect(Date.now() - second).toBeLessThan(1000);
    expect(sockets.length).toBe(2);
  });
});
