import './register-paths';
import { rmSync } from 'node:fs';
import { Client } from 'pg';
import type { TestRun } from './global-setup';
import { testBroker } from './test-broker';
import { TEST_POSTGRES_SERVER } from './test-env';

export default async function globalTeardown(): Promise<void> {
  testBroker.stop();
  rmSync(process.env.TALLY_TEST_KAFKA_DATA_DIR!, { recursive: true, force: true });
  const run = (globalThis as { tallyTestRun?: TestRun }).tallyTestRun;
  const admin = new Client({ connectionString: `${TEST_POSTGRES_SERVER}/postgres` });
  await admin.connect();
  try {
    for (const name of run?.databases ?? []) {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}
