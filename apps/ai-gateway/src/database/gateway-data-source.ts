import { postgresPoolOptions } from '@tally/platform';
import type { DataSourceOptions } from 'typeorm';
import type { GatewayConfig } from '../config/gateway.config';
import { GATEWAY_MIGRATIONS } from './migrations';

export function gatewayDataSourceOptions(config: GatewayConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.GATEWAY_DATABASE_URL,
    migrations: GATEWAY_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    extra: postgresPoolOptions(config, 'tally-ai-gateway'),
  };
}
