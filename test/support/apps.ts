import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIObject } from '@nestjs/swagger';
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

type OperationObject = NonNullable<OpenAPIObject['paths'][string]['get']>;

/** One route an app serves, as its OpenAPI document lists it. */
export interface DocumentedRoute {
  app: 'store' | 'gateway';
  method: string;
  path: string;
  operation: OperationObject;
}

export interface BothAppsFixture {
  store: RunningApp;
  gateway: RunningApp;
  /** Direct connections: [gateway, credit-store] (the order `rowCounts` keys them by). */
  databases: DataSource[];
  /** Every route of both apps, from their own OpenAPI documents (the credit-store's first). */
  routes: DocumentedRoute[];
  /** The components of each app's document (body schemas), by app. */
  schemas: Record<DocumentedRoute['app'], Record<string, unknown>>;
}

async function documentOf(app: RunningApp): Promise<OpenAPIObject> {
  return (await (await fetch(`${app.url}/docs-json`)).json()) as OpenAPIObject;
}

/**
 * Both apps (the gateway calling this credit-store), their databases, and every route they serve,
 * read from their own OpenAPI documents, for the calling describe block: what tests that sweep
 * every endpoint stand on, so a new endpoint is covered the day it is added.
 */
export function bothApps(): BothAppsFixture {
  const fixture = {} as BothAppsFixture;
  beforeAll(async () => {
    fixture.store = await startCreditStore({ JOB_INTERVAL_SECONDS: '0' });
    fixture.gateway = await startGateway({ CREDIT_STORE_URL: fixture.store.url });
    fixture.databases = await Promise.all([
      connect(process.env.GATEWAY_DATABASE_URL),
      connect(process.env.CREDIT_STORE_DATABASE_URL),
    ]);
    fixture.routes = [];
    fixture.schemas = { store: {}, gateway: {} };
    for (const [name, app] of [
      ['store', fixture.store],
      ['gateway', fixture.gateway],
    ] as const) {
      const document = await documentOf(app);
      fixture.schemas[name] = document.components?.schemas ?? {};
      for (const [path, item] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(item as Record<string, OperationObject>)) {
          fixture.routes.push({ app: name, method: method.toUpperCase(), path, operation });
        }
      }
    }
  });
  afterAll(async () => {
    await Promise.all((fixture.databases ?? []).map((db) => db.destroy()));
    await fixture.gateway?.close();
    await fixture.store?.close();
  });
  return fixture;
}
