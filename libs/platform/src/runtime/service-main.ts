import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSourceOptions } from 'typeorm';
import { loadConfig } from '../config/load-config';
import type { ServiceConfig } from '../config/service-config';
import { runMigrations } from '../database/run-migrations';
import { closeGracefullyOnSignals } from './graceful-shutdown';

export interface ServiceMain<C extends ServiceConfig> {
  name: string;
  configClass: new () => C;
  database: (config: C) => DataSourceOptions;
  createApp: (config: C) => Promise<NestExpressApplication>;
  port: (config: C) => number;
}

/** An app's `main`: `node main.js` serves; `node main.js migrate` applies migrations and exits. */
export function runServiceMain<C extends ServiceConfig>(service: ServiceMain<C>): void {
  const logger = new Logger(service.name);
  const run = async () => {
    const config = loadConfig(service.configClass);
    if (process.argv[2] === 'migrate') {
      const applied = await runMigrations(service.database(config));
      logger.log(
        applied.length ? `applied migrations: ${applied.join(', ')}` : 'schema is up to date',
      );
      return;
    }
    const app = await service.createApp(config);
    closeGracefullyOnSignals(app, logger);
    await app.listen(service.port(config), '0.0.0.0');
    logger.log(`listening on http://127.0.0.1:${service.port(config)}`);
  };
  run().catch((error: unknown) => {
    logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}
