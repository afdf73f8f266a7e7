import type { NestExpressApplication } from '@nestjs/platform-express';
import { createServiceApp } from '@tally/platform';
import { ApiKeyAuthenticator } from './api-keys/api-key-authenticator';
import { BEARER_KEY } from './api-keys/key-credentials';
import { openAiErrorShape } from './chat/openai-error-shape';
import { unknownPaths } from './client-api/unknown-paths';
import { GatewayConfig } from './config/gateway.config';
import openApiMetadata from './docs/openapi.metadata';
import { GatewayModule } from './gateway.module';
import { anthropicErrorShape } from './messages/anthropic-error-shape';
import { ANTHROPIC_KEY } from './messages/anthropic-key.guard';

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
      bodyLimits: {
        limit: config.GATEWAY_SERVICE_BODY_LIMIT,
        byPrefix: [{ pathPrefix: '/v1/', limit: config.GATEWAY_BODY_LIMIT }],
      },
      limits: config.httpLimits,
      // A client's key is checked before its body is read: a stranger's body never is.
      beforeBody: (app) => [
        app
          .get(ApiKeyAuthenticator)
          .beforeBody('/v1/', (path) =>
            path.startsWith('/v1/messages') ? ANTHROPIC_KEY : BEARER_KEY,
          ),
      ],
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
