import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpstreamPools } from './upstream-pools';

describe('UpstreamPools', () => {
  let server: Server;
  let base: string;
  let connections = 0;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url!);
      req.resume();
      req.on('end', () => res.setHeader('content-type', 'application/json').end('{"ok":true}'));
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('sends under the base URL path and keeps its connections alive for the next calls', async () => {
    const pools = new UpstreamPools();
    for (let i = 0; i < 6; i++) {
      const answer = await pools.send(base, '/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
        signal: new AbortController().signal,
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('Content-Type')).toBe('application/json');
      expect(await answer.text()).toBe('{"ok":true}');
    }
    await pools.onApplicationShutdown();
    expect(paths).toEqual(Array(6).fill('/v1/chat/completions'));
    // The next call may find the last one's connection not yet released, and open one more.
    expect(connections).toBeLessThanOrEqual(2);
  });
});
