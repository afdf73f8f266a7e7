import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { DataSourceOptions } from 'typeorm';
import { loadConfig } from '../config/load-config';
import type { ServiceConfig } from '../config/service-config';
import { runMigrations } from '../database/run-migrations';
import { StartupRefusal } from '../config/startup-refusal';
import { startingLogger } from '../logging/start-up-lines';
import { closeGracefullyOnSignals } from './graceful-shutdown';
import { assertPortFree, portRefusal } from './port-free';

export interface ServiceMain<C extends ServiceConfig> {
  name: string;
  configClass: new () => C;
  database: (config: C) => DataSourceOptions;
  createApp: (config: C) => Promise<NestExpressApplication>;
  port: (config: C) => number;
  /** The variable that sets the port, named when it is taken. */
  portSetting: string;
}

/** An app's `main`: `node main.js` serves; `node main.js migrate` applies migrations and exits. */
export function runServiceMain<C extends ServiceConfig>(service: ServiceMain<C>): void {
  Logger.overrideLogger(startingLogger());
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
    const [host, port] = [config.HOST, service.port(config)];
    await assertPortFree(host, port, service.portSetting);
    const app = await service.createApp(config);
    closeGracefullyOnSignals(app, logger);
    await app.listen(port, host).catch((error: unknown) => {
      throw portRefusal(error, host, port, service.portSetting);
    });
    logger.log(`listening on http://${host.includes(':') ? `[${host}]` : host}:${port}`);
  };
  run().catch((error: unknown) => {
    if (error instanceof StartupRefusal) logger.error(error.message);
    else logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}
