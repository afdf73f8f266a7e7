import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuditInterceptor } from '../audit/audit.interceptor';
import { AUDIT_APP, AuditTrail } from '../audit/audit-trail';
import { TerminusModule } from '@nestjs/terminus';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { Kafka } from 'kafkajs';
import type { DataSource, DataSourceOptions } from 'typeorm';
import { SERVICE_TOKENS, TokenAuthGuard } from '../auth/token-auth.guard';
import type { ServiceConfig } from '../config/service-config';
import { HealthController } from '../health/health.controller';
import { READINESS_CHECKS } from '../health/readiness-check';
import { databaseReadiness, kafkaReadiness, migrationsReadiness } from '../health/standard-checks';
import { KAFKA } from '../kafka/create-kafka';
import { loggingModule } from '../logging/logging.module';
import { MetricsModule } from '../metrics/metrics.module';

export interface ServiceRuntimeOptions<C extends ServiceConfig> {
  /** The app's config class (its injection token) and the loaded instance. */
  configClass: new () => C;
  config: C;
  kafka: Kafka;
  database: DataSourceOptions;
  /** The app's name in its audit records (`credit-store`, `ai-gateway`). */
  app: string;
}

/**
 * What every app of Tally runs on, for its domain modules to inject: its config, the Kafka
 * client, the database, the deny-by-default token guard (principals come from the app's global
 * PRINCIPAL_DIRECTORY), the audit trail, `/health` with its readiness checks and
 * `/metrics`.
 */
@Global()
@Module({})
export class ServiceRuntimeModule {
  static forRoot<C extends ServiceConfig>(options: ServiceRuntimeOptions<C>): DynamicModule {
    const { configClass, config, kafka } = options;
    return {
      module: ServiceRuntimeModule,
      imports: [
        TypeOrmModule.forRoot(options.database),
        TerminusModule.forRoot({ errorLogStyle: 'json' }),
        MetricsModule.forRoot(),
        loggingModule(config.logLevels),
      ],
      controllers: [HealthController],
      providers: [
        { provide: configClass, useValue: config },
        { provide: KAFKA, useValue: kafka },
        {
          provide: SERVICE_TOKENS,
          useValue: { admin: config.ADMIN_TOKEN, internal: config.INTERNAL_TOKEN },
        },
        { provide: AUDIT_APP, useValue: options.app },
        AuditTrail,
        { provide: APP_GUARD, useClass: TokenAuthGuard },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
        {
          provide: READINESS_CHECKS,
          useFactory: (dataSource: DataSource) => [
            databaseReadiness(dataSource),
            migrationsReadiness(dataSource),
            kafkaReadiness(kafka),
          ],
          inject: [getDataSourceToken()],
        },
      ],
      exports: [configClass, KAFKA, SERVICE_TOKENS, AuditTrail],
    };
  }
}
