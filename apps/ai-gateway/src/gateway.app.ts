import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TOPIC_SPECS } from '@tally/contracts';
import { configureHttpApp, createKafka, ensureTopics } from '@tally/platform';
import { GatewayConfig } from './config/gateway.config';
import { GatewayModule } from './gateway.module';

/** Builds the gateway exactly as `main.ts` runs it; tests use it too. The caller listens. */
export async function createGatewayApp(config: GatewayConfig): Promise<NestExpressApplication> {
  const kafka = createKafka('ai-gateway', config.kafkaBrokers);
  await ensureTopics(kafka, TOPIC_SPECS);
  const app = await NestFactory.create<NestExpressApplication>(
    GatewayModule.forRoot(config, kafka),
    {
      bodyParser: false,
      logger: config.logLevels,
    },
  );
  configureHttpApp(app, { bodyLimit: config.GATEWAY_BODY_LIMIT });
  return app;
}
