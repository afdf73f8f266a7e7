import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { TOPIC_SPECS } from '@tally/contracts';
import type { Kafka } from 'kafkajs';
import { OpenApiOptions, setupOpenApi } from '../docs/openapi';
import { configureHttpApp, HttpAppOptions } from '../http/configure-http-app';
import { createKafka, ensureTopics } from '../kafka/create-kafka';
import { KafkaBatchTransport, KafkaBatchTransportOptions } from '../kafka/kafka-batch.transport';

export interface ServiceAppOptions {
  /** Kafka client id, e.g. `ai-gateway`. */
  name: string;
  brokers: string[];
  module: (kafka: Kafka) => DynamicModule;
  http: HttpAppOptions;
  openApi: OpenApiOptions;
  /** The app's batch consumer (its topic handlers are in the module). */
  consumer: Omit<KafkaBatchTransportOptions, 'kafka'>;
}

/**
 * An app of Tally as its `main.ts` runs it and the tests build it: the topics ensured, the HTTP
 * conventions, the OpenAPI document, and the Kafka batch consumer started. The caller listens.
 */
export async function createServiceApp(
  options: ServiceAppOptions,
): Promise<NestExpressApplication> {
  const kafka = createKafka(options.name, options.brokers);
  await ensureTopics(kafka, TOPIC_SPECS);
  const app = await NestFactory.create<NestExpressApplication>(options.module(kafka), {
    bodyParser: false,
    // Kept until configureHttpApp hands them to the JSON logger.
    bufferLogs: true,
  });
  configureHttpApp(app, options.http);
  await setupOpenApi(app, options.openApi);
  app.connectMicroservice({ strategy: new KafkaBatchTransport({ kafka, ...options.consumer }) });
  await app.startAllMicroservices();
  return app;
}
