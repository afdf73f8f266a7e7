import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@tally/platform';
import type { DataSource } from 'typeorm';
import { GatewayConfig } from '../../apps/ai-gateway/src/config/gateway.config';
import { createGatewayApp } from '../../apps/ai-gateway/src/gateway.app';
import { CreditStoreConfig } from '../../apps/credit-store/src/config/credit-store.config';
import { createCreditStoreApp } from '../../apps/credit-store/src/credit-store.app';
import { connect } from './db';

export interface RunningApp {
  app: NestExpressApplication;
  url: string;
  close(): Promise<void>;
}

async function listen(app: NestExpressApplication): Promise<RunningApp> {
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}

/** The gateway as `main.ts` builds it, on the run's database and broker (env from global-setup). */
export async function startGateway(env: Record<string, string> = {}): Promise<RunningApp> {
  return listen(await createGatewayApp(loadConfig(GatewayConfig, { ...process.env, ...env })));
}

/** The credit-store (HTTP and ledger consumer) as `main.ts` builds it. */
export async function startCreditStore(env: Record<string, string> = {}): Promise<RunningApp> {
  return listen(
    await createCreditStoreApp(loadConfig(CreditStoreConfig, { ...process.env, ...env })),
  );
}

export interface CreditStoreFixture {
  store: RunningApp;
  /** A direct connection to its database, to look behind the HTTP answers. */
  db: DataSource;
}

/**
 * A credit-store for the calling describe block, started before its tests and closed after them.
 * Its jobs run only when a test asks, so expiry happens exactly where a test says.
 */
export function useCreditStore(): CreditStoreFixture {
  const fixture = {} as CreditStoreFixture;
  beforeAll(async () => {
    fixture.store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
    fixture.db = await connect(process.env.CREDIT_STORE_DATABASE_URL);
  });
  afterAll(async () => {
    await fixture.db?.destroy();
    await fixture.store?.close();
  });
  return fixture;
}
