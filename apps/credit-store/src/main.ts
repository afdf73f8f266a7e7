import { runServiceMain } from '@tally/platform';
import { CreditStoreConfig } from './config/credit-store.config';
import { createCreditStoreApp } from './credit-store.app';
import { creditStoreDataSourceOptions } from './database/credit-store-data-source';

runServiceMain({
  name: 'credit-store',
  configClass: CreditStoreConfig,
  database: creditStoreDataSourceOptions,
  createApp: createCreditStoreApp,
  port: (config) => config.CREDIT_STORE_PORT,
  portSetting: 'CREDIT_STORE_PORT',
});
