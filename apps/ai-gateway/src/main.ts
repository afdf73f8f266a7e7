import { Logger } from '@nestjs/common';
import { loadConfig, runMigrations } from '@tally/platform';
import { GatewayConfig } from './config/gateway.config';
import { gatewayDataSourceOptions } from './database/gateway-data-source';
import { createGatewayApp } from './gateway.app';

/** `node main.js` serves; `node main.js migrate` applies pending migrations and exits. */
async function main(): Promise<void> {
  const logger = new Logger('ai-gateway');
  const config = loadConfig(GatewayConfig);
  if (process.argv[2] === 'migrate') {
    const applied = await runMigrations(gatewayDataSourceOptions(config));
    logger.log(
      applied.length ? `applied migrations: ${applied.join(', ')}` : 'schema is up to date',
    );
    return;
  }
  const app = await createGatewayApp(config);
  await app.listen(config.GATEWAY_PORT, '0.0.0.0');
  logger.log(`listening on http://127.0.0.1:${config.GATEWAY_PORT}`);
}

main().catch((error: unknown) => {
  new Logger('ai-gateway').error(
    error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
  process.exit(1);
});
