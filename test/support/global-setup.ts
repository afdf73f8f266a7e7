import './register-paths';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { TOPIC_SPECS } from '@tally/contracts';
import { createKafka, ensureTopics, loadConfig, runMigrations } from '@tally/platform';
import { GatewayConfig } from '../../apps/ai-gateway/src/config/gateway.config';
import { gatewayDataSourceOptions } from '../../apps/ai-gateway/src/database/gateway-data-source';
import { CreditStoreConfig } from '../../apps/credit-store/src/config/credit-store.config';
import { creditStoreDataSourceOptions } from '../../apps/credit-store/src/database/credit-store-data-source';
import { testBroker } from './test-broker';
import { TEST_KAFKA_PORT, TEST_POSTGRES_SERVER, TEST_TOKENS } from './test-env';

export interface TestRun {
  databases: string[];
}

/** One run, its own databases (migrated) and its own freshly formatted Kafka broker. */
export default async function globalSetup(): Promise<void> {
  const runId = `${Date.now().toString(36)}_${process.pid}`;
  const databases = [`tally_test_${runId}_gateway`, `tally_test_${runId}_credit_store`];
  const admin = new Client({ connectionString: `${TEST_POSTGRES_SERVER}/postgres` });
  await admin.connect();
  try {
    for (const name of databases) await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }

  Object.assign(process.env, {
    GATEWAY_DATABASE_URL: `${TEST_POSTGRES_SERVER}/${databases[0]}`,
    CREDIT_STORE_DATABASE_URL: `${TEST_POSTGRES_SERVER}/${databases[1]}`,
    KAFKA_BROKERS: `127.0.0.1:${TEST_KAFKA_PORT}`,
    TALLY_TEST_KAFKA_DATA_DIR: mkdtempSync(join(tmpdir(), 'tally-test-kafka-')),
    ADMIN_TOKEN: TEST_TOKENS.admin,
    INTERNAL_TOKEN: TEST_TOKENS.internal,
    GATEWAY_PORT: '0',
    CREDIT_STORE_PORT: '0',
    LOG_LEVELS: process.env.LOG_LEVELS ?? 'error',
  });
  (globalThis as { tallyTestRun?: TestRun }).tallyTestRun = { databases };

  testBroker.start();
  await runMigrations(gatewayDataSourceOptions(loadConfig(GatewayConfig)));
  await runMigrations(creditStoreDataSourceOptions(loadConfig(CreditStoreConfig)));
  await ensureTopics(createKafka('tally-test-setup', [process.env.KAFKA_BROKERS!]), TOPIC_SPECS);
}
