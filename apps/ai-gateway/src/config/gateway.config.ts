import type { LogLevel } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/** Every setting of the gateway, named after its environment variable, with local defaults. */
export class GatewayConfig {
  @Matches(/^postgres(ql)?:\/\//, { message: '$property must be a postgres:// URL' })
  GATEWAY_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/gateway';

  @Matches(/^[^,\s]+(,[^,\s]+)*$/, { message: '$property must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  GATEWAY_PORT = 3000;

  @IsString()
  @MinLength(16)
  INTERNAL_TOKEN = 'dev-internal-token-change-me';

  @IsString()
  @MinLength(16)
  ADMIN_TOKEN = 'dev-admin-token-change-me';

  @IsOptional()
  @IsString()
  UPSTREAM_BASE_URL?: string = undefined;

  @IsOptional()
  @IsString()
  UPSTREAM_API_KEY?: string = undefined;

  /** Largest JSON body accepted on any endpoint. */
  @Matches(/^\d+(b|kb|mb)$/)
  GATEWAY_BODY_LIMIT = '256kb';

  /** How often an idle relay looks for new outbox rows (a local commit also wakes it at once). */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  @Max(60_000)
  OUTBOX_POLL_INTERVAL_MS = 250;

  /** Rows one relay publishes per Kafka request. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  OUTBOX_BATCH_SIZE = 500;

  /** Set to 0 on replicas that should not relay (at least one replica must). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1)
  OUTBOX_RELAY_ENABLED = 1;

  /** Nest log levels, comma-separated (error, warn, log, debug, verbose). */
  @Matches(/^(error|warn|log|debug|verbose)(,(error|warn|log|debug|verbose))*$/)
  LOG_LEVELS = 'error,warn,log';

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',');
  }

  get logLevels(): LogLevel[] {
    return this.LOG_LEVELS.split(',') as LogLevel[];
  }
}
