import { runToExit } from './support/spawn-app';

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
