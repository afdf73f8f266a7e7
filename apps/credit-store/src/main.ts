import { Logger } from '@nestjs/common';
import { loadConfig, runMigrations } from '@tally/platform';
import { CreditStoreConfig } from './config/credit-store.config';
import { createCreditStoreApp } from './credit-store.app';
import { creditStoreDataSourceOptions } from './database/credit-store-data-source';

/** `node main.js` serves; `node main.js migrate` applies pending migrations and exits. */
async function main(): Promise<void> {
  const logger = new Logger('credit-store');
  const config = loadConfig(CreditStoreConfig);
  if (process.argv[2] === 'migrate') {
    const applied = await runMigrations(creditStoreDataSourceOptions(config));
    logger.log(
      applied.length ? `applied migrations: ${applied.join(', ')}` : 'schema is up to date',
    );
    return;
  }
  const app = await createCreditStoreApp(config);
  await app.listen(config.CREDIT_STORE_PORT, '0.0.0.0');
  logger.log(`listening on http://127.0.0.1:${config.CREDIT_STORE_PORT}`);
}

main().catch((error: unknown) => {
  new Logger('credit-store').error(
    error instanceof Error ? (error.stack ?? error.message) : String(error),
  );
  process.exit(1);
});
