import type { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '@tally/platform';
import { GatewayConfig } from '../../apps/ai-gateway/src/config/gateway.config';
import { createGatewayApp } from '../../apps/ai-gateway/src/gateway.app';
import { CreditStoreConfig } from '../../apps/credit-store/src/config/credit-store.config';
import { createCreditStoreApp } from '../../apps/credit-store/src/credit-store.app';

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
