import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TOPIC_SPECS } from '@tally/contracts';
import { configureHttpApp, createKafka, ensureTopics, KafkaBatchTransport } from '@tally/platform';
import { openAiErrorShape } from './chat/openai-error-shape';
import { GatewayConfig } from './config/gateway.config';
import { GatewayModule } from './gateway.module';

/**
 * Builds the gateway exactly as `main.ts` runs it (HTTP app plus the balance view consumer); tests
 * use it too. The caller listens.
 */
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
  configureHttpApp(app, { bodyLimit: config.GATEWAY_BODY_LIMIT, errorShapes: [openAiErrorShape] });
  // The balance guard's view, fed from credit.balance.updated.
  app.connectMicroservice({
    strategy: new KafkaBatchTransport({
      kafka,
      groupId: config.GATEWAY_BALANCE_GROUP,
      partitionsConsumedConcurrently: 2,
    }),
  });
  await app.startAllMicroservices();
  return app;
}
