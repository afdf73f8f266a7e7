import type { NestExpressApplication } from '@nestjs/platform-express';
import { createServiceApp } from '@tally/platform';
import { CreditStoreConfig } from './config/credit-store.config';
import { CreditStoreModule } from './credit-store.module';
import openApiMetadata from './docs/openapi.metadata';

/**
 * Builds the credit-store exactly as `main.ts` runs it (HTTP app plus the ledger consumer);
 * tests use it too. The consumer is started; the caller listens for HTTP.
 */
export function createCreditStoreApp(config: CreditStoreConfig): Promise<NestExpressApplication> {
  return createServiceApp({
    name: 'credit-store',
    brokers: config.kafkaBrokers,
    module: (kafka) => CreditStoreModule.forRoot(config, kafka),
    http: { bodyLimits: { limit: config.CREDIT_STORE_BODY_LIMIT }, limits: config.httpLimits },
    openApi: {
      title: 'Tally credit-store',
      description:
        'The authoritative ledger: accounts, grants, holds, products and orders, price and reward rules, jobs, finance.',
      metadata: openApiMetadata,
    },
    consumer: {
      groupId: config.CREDIT_STORE_CONSUMER_GROUP,
      partitionsConsumedConcurrently: config.CREDIT_STORE_CONSUMER_CONCURRENCY,
      sessionTimeoutMs: config.KAFKA_CONSUMER_SESSION_TIMEOUT_MS,
      fetch: {
        maxBytesPerPartition: config.CREDIT_STORE_BATCH_MAX_BYTES,
        minBytes: config.CREDIT_STORE_BATCH_MIN_BYTES,
        maxWaitTimeInMs: config.CREDIT_STORE_BATCH_LINGER_MS,
      },
    },
  });
}
