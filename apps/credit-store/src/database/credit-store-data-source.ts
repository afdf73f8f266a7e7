import { postgresPoolOptions } from '@tally/platform';
import type { DataSourceOptions } from 'typeorm';
import type { CreditStoreConfig } from '../config/credit-store.config';
import { CREDIT_STORE_MIGRATIONS } from './migrations';

export function creditStoreDataSourceOptions(config: CreditStoreConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.CREDIT_STORE_DATABASE_URL,
    migrations: CREDIT_STORE_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    extra: postgresPoolOptions(config, 'tally-credit-store'),
  };
}
