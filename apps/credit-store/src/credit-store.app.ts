import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TOPIC_SPECS } from '@tally/contracts';
import { configureHttpApp, createKafka, ensureTopics, KafkaBatchTransport } from '@tally/platform';
import { CreditStoreConfig } from './config/credit-store.config';
import { CreditStoreModule } from './credit-store.module';

/**
 * Builds the credit-store exactly as `main.ts` runs it (HTTP app plus the ledger consumer);
 * tests use it too. The consumer is started; the caller listens for HTTP.
 */
export async function createCreditStoreApp(
  config: CreditStoreConfig,
): Promise<NestExpressApplication> {
  const kafka = createKafka('credit-store', config.kafkaBrokers);
  await ensureTopics(kafka, TOPIC_SPECS);
  const app = await NestFactory.create<NestExpressApplication>(
    CreditStoreModule.forRoot(config, kafka),
    {
      bodyParser: false,
      logger: config.logLevels,
    },
  );
  configureHttpApp(app, { bodyLimit: config.CREDIT_STORE_BODY_LIMIT });
  app.connectMicroservice({
    strategy: new KafkaBatchTransport({
      kafka,
      groupId: config.CREDIT_STORE_CONSUMER_GROUP,
      partitionsConsumedConcurrently: config.CREDIT_STORE_CONSUMER_CONCURRENCY,
    }),
  });
  await app.startAllMicroservices();
  return app;
}
