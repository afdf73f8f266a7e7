import type { LogLevel } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/** Every setting of the credit-store, named after its environment variable, with local defaults. */
export class CreditStoreConfig {
  @Matches(/^postgres(ql)?:\/\//, { message: '$property must be a postgres:// URL' })
  CREDIT_STORE_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/credit_store';

  @Matches(/^[^,\s]+(,[^,\s]+)*$/, { message: '$property must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  CREDIT_STORE_PORT = 3001;

  @IsString()
  @MinLength(16)
  INTERNAL_TOKEN = 'dev-internal-token-change-me';

  @IsString()
  @MinLength(16)
  ADMIN_TOKEN = 'dev-admin-token-change-me';

  @Matches(/^\d+(b|kb|mb)$/)
  CREDIT_STORE_BODY_LIMIT = '256kb';

  /** Consumer group of the ledger consumer; every replica uses the same one. */
  @IsString()
  @MinLength(1)
  CREDIT_STORE_CONSUMER_GROUP = 'credit-store';

  /** Partitions one replica applies at once (each batch is its own transaction). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  CREDIT_STORE_CONSUMER_CONCURRENCY = 3;

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
