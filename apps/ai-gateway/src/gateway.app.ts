import type { NestExpressApplication } from '@nestjs/platform-express';
import { createServiceApp } from '@tally/platform';
import { openAiErrorShape } from './chat/openai-error-shape';
import { unknownPaths } from './client-api/unknown-paths';
import { GatewayConfig } from './config/gateway.config';
import openApiMetadata from './docs/openapi.metadata';
import { GatewayModule } from './gateway.module';
import { anthropicErrorShape } from './messages/anthropic-error-shape';

/**
 * Builds the gateway exactly as `main.ts` runs it (HTTP app plus the balance view consumer); tests
 * use it too. The caller listens.
 */
export function createGatewayApp(config: GatewayConfig): Promise<NestExpressApplication> {
  return createServiceApp({
    name: 'ai-gateway',
    brokers: config.kafkaBrokers,
    module: (kafka) => GatewayModule.forRoot(config, kafka),
    http: {
      bodyLimit: config.GATEWAY_BODY_LIMIT,
      errorShapes: [anthropicErrorShape, openAiErrorShape],
      unmatched: unknownPaths,
    },
    openApi: {
      title: 'Tally ai-gateway',
      description:
        'OpenAI-compatible proxy (chat completions, responses, embeddings) and Anthropic Messages proxy, with a balance guard, internal charges and holds, API keys.',
      metadata: openApiMetadata,
    },
    // The balance guard's view, fed from credit.balance.updated.
    consumer: {
      groupId: config.GATEWAY_BALANCE_GROUP,
      partitionsConsumedConcurrently: 2,
      sessionTimeoutMs: config.KAFKA_CONSUMER_SESSION_TIMEOUT_MS,
    },
  });
}
