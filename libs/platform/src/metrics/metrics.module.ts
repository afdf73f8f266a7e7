import { DynamicModule, Global, Module } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HttpMetrics } from './http.metrics';
import { MetricsController, PROCESS_METRICS } from './metrics.controller';

let processRegistry: Registry | undefined;

/**
 * Node's own series (CPU, memory, event loop, GC) describe the process, so they are collected once
 * per process, whatever the number of apps in it: each collection starts timers and observers
 * that are never stopped.
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * One Prometheus registry per app instance (not prom-client's global one: tests run several apps
 * in one process, and each /metrics must show only its own app). Inject `Registry` to add series.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [
        { provide: Registry, useFactory: () => new Registry() },
        { provide: PROCESS_METRICS, useFactory: processMetrics },
        HttpMetrics,
      ],
      exports: [Registry, HttpMetrics],
    };
  }
}
