/**
 * Where the integration tests' own PostgreSQL databases and Kafka broker live. global-setup makes
 * them for one run and puts their addresses into process.env, which the tests and apps then read.
 */
export const TEST_KAFKA_PORT = Number(process.env.TALLY_TEST_KAFKA_PORT ?? 19092);
export const TEST_KAFKA_CONTROLLER_PORT = TEST_KAFKA_PORT + 1;
export const TEST_POSTGRES_SERVER =
  process.env.TALLY_TEST_POSTGRES_SERVER ?? 'postgres://postgres@127.0.0.1:5432';

export const TEST_TOKENS = {
  admin: 'test-admin-token-0123456789',
  internal: 'test-internal-token-0123456789',
};

/** Env for scripts/kafka.sh so that it drives the test broker, never the developer's one. */
export function testBrokerEnv(): NodeJS.ProcessEnv {
  const dataDir = process.env.TALLY_TEST_KAFKA_DATA_DIR;
  if (!dataDir) throw new Error('TALLY_TEST_KAFKA_DATA_DIR is not set: is global-setup running?');
  return {
    ...process.env,
    KAFKA_PORT: String(TEST_KAFKA_PORT),
    KAFKA_CONTROLLER_PORT: String(TEST_KAFKA_CONTROLLER_PORT),
    KAFKA_DATA_DIR: dataDir,
  };
}
