import { spawnSync } from 'node:child_process';
import { createConnection, createServer, Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { freePort, runToExit, spawnReadyGateway } from './support/spawn-app';

const secrets = {
  ADMIN_TOKEN: 'a-production-admin-secret',
  INTERNAL_TOKEN: 'a-production-internal-secret',
};

/** A config error stops the process before it connects anywhere, naming the setting. */
describe('config validated at start-up (the built apps, as processes)', () => {
  it.each([
    ['ai-gateway', { GATEWAY_PORT: 'eighty' }, 'GATEWAY_PORT'],
    ['ai-gateway', { UPSTREAM_BASE_URL: 'not a url' }, 'UPSTREAM_BASE_URL'],
    ['ai-gateway', { OUTBOX_BATCH_SIZE: '0' }, 'OUTBOX_BATCH_SIZE'],
    [
      'ai-gateway',
      {
        UPSTREAMS:
          '[{"id":"a","provider":"p","base_url":"http://x/v1","models":["m"]},' +
          '{"id":"b","provider":"p","base_url":"http://x/v1","models":["m"],"weight":0}]',
      },
      'UPSTREAMS: [1].weight must be an integer from 1 to 1000',
    ],
    ['ai-gateway', { MODEL_FALLBACKS: '{"m":"n"}' }, 'MODEL_FALLBACKS: m must be a list'],
    [
      'credit-store',
      { CREDIT_STORE_DATABASE_URL: 'mysql://db/credit' },
      'CREDIT_STORE_DATABASE_URL',
    ],
    ['credit-store', { KAFKA_BROKERS: 'a:9092, b:9092' }, 'KAFKA_BROKERS'],
    ['credit-store', { GRANT_TTL_DAYS_BY_SOURCE: 'purchase=forever' }, 'GRANT_TTL_DAYS_BY_SOURCE'],
  ] as const)('%s with %j exits non-zero naming %s', async (app, env, name) => {
    const exited = await runToExit(app, env);
    expect(exited.code).not.toBe(0);
    expect(exited.code).not.toBeNull();
    expect(exited.output).toContain('invalid configuration');
    expect(exited.output).toContain(name);
  });

  it.each(['ai-gateway', 'credit-store'] as const)(
    '%s in production refuses the default tokens, unset or given',
    async (app) => {
      const unset = await runToExit(app, {
        NODE_ENV: 'production',
        ADMIN_TOKEN: undefined,
        INTERNAL_TOKEN: undefined,
      });
      expect(unset.code).toBe(1);
      expect(unset.output).toMatch(/ADMIN_TOKEN, INTERNAL_TOKEN must be set/);

      const given = await runToExit(app, {
        NODE_ENV: 'production',
        ...secrets,
        INTERNAL_TOKEN: 'dev-internal-token-change-me',
      });
      expect(given.code).toBe(1);
      expect(given.output).toMatch(/INTERNAL_TOKEN must be set/);
      expect(given.output).not.toContain('ADMIN_TOKEN must');
    },
  );

  it.each(['ai-gateway', 'credit-store'] as const)(
    '%s in production with its own tokens gets past the config (migrate answers up to date)',
    async (app) => {
      const exited = await runToExit(app, { NODE_ENV: 'production', ...secrets }, ['migrate']);
      expect(exited.output).not.toContain('invalid configuration');
      expect(exited.output).toContain('schema is up to date');
      expect(exited.code).toBe(0);
    },
  );
});

/** An address of this machine that other machines reach (not a loopback one). */
function outwardAddress(): string {
  const address = Object.values(networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal);
  if (!address) throw new Error('this machine has no non-loopback IPv4 address to test with');
  return address.address;
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const ESCAPE = '\u001b[';

describe('safe defaults of the built apps', () => {
  it.each(['ai-gateway', 'credit-store'] as const)(
    '%s refuses HOST=0.0.0.0 with the public default tokens, in one line, before connecting anywhere',
    async (app) => {
      const exited = await runToExit(app, {
        HOST: '0.0.0.0',
        ADMIN_TOKEN: undefined,
        INTERNAL_TOKEN: 'an-internal-secret-of-our-own',
      });
      expect(exited.code).toBe(1);
      const lines = exited.output.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /HOST=0\.0\.0\.0 lets other machines in, and ADMIN_TOKEN is the public default/,
      );
      expect(exited.output).not.toContain('INTERNAL_TOKEN');
      expect(exited.output).not.toContain(ESCAPE);
      expect(exited.output).not.toMatch(/kafkajs|\bat \S+ \(/);
    },
  );

  it('with tokens of its own, HOST=0.0.0.0 gets past the config', async () => {
    const exited = await runToExit('credit-store', { HOST: '0.0.0.0', ...secrets }, ['migrate']);
    expect(exited.output).toContain('schema is up to date');
    expect(exited.code).toBe(0);
  });

  it('a port in use is one clear line, before anything says it started', async () => {
    const port = await freePort();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const exited = await runToExit('ai-gateway', { GATEWAY_PORT: String(port) });
      expect(exited.code).toBe(1);
      const lines = exited.output.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(
        `cannot listen on 127.0.0.1:${port}: the port is in use by another process (stop it, or set GATEWAY_PORT to a free port)`,
      );
      expect(JSON.parse(lines[0])).toMatchObject({ level: 50, context: 'ai-gateway' });
    } finally {
      taken.close();
    }
  });

  it('npm start stops at a taken port, in one line, before it starts anything', async () => {
    const [gatewayPort, storePort, fakePort, kafkaPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(storePort, '127.0.0.1', resolve));
    try {
      const stack = spawnSync(process.execPath, [join(__dirname, '..', 'scripts', 'stack.js')], {
        env: {
          ...process.env,
          GATEWAY_PORT: String(gatewayPort),
          CREDIT_STORE_PORT: String(storePort),
          FAKE_UPSTREAM_PORT: String(fakePort),
          KAFKA_PORT: String(kafkaPort),
          KAFKA_BROKERS: undefined,
          CREDIT_STORE_URL: undefined,
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(stack.status).toBe(1);
      expect(stack.stdout + stack.stderr).toContain(
        `[stack] cannot listen on 127.0.0.1:${storePort}: the port is in use by another process (stop it, or set CREDIT_STORE_PORT to a free port)`,
      );
      // Nothing was started: no PostgreSQL, no broker, no app.
      expect(stack.stdout).not.toMatch(/\[kafka\]|embedded|\[credit-store\]|\[ai-gateway\]/);
    } finally {
      taken.close();
    }
  });

  it('listens on 127.0.0.1 by default, and logs JSON without the route-by-route start-up lines', async () => {
    // The default levels (the tests' env runs the apps at error only).
    const { gateway, url } = await spawnReadyGateway({ LOG_LEVELS: 'error,warn,log' });
    try {
      const port = Number(new URL(url).port);
      expect(await connects('127.0.0.1', port)).toBe(true);
      expect(await connects(outwardAddress(), port)).toBe(false);
      const lines = gateway.output().trim().split('\n');
      // Each line is a JSON object (no colours, no plain text); none maps a route.
      for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
      expect(gateway.output()).not.toContain(ESCAPE);
      expect(gateway.output()).not.toMatch(/Mapped \{|dependencies initialized|RoutesResolver/);
      expect(gateway.output()).toContain(`listening on http://127.0.0.1:${port}`);
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });

  it('shows the start-up lines at debug level', async () => {
    const { gateway } = await spawnReadyGateway({ LOG_LEVELS: 'error,warn,log,debug' });
    try {
      expect(gateway.output()).toContain('Mapped {/v1/chat/completions, POST} route');
    } finally {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
  });
});
