import type { LogLevel } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/** Settings both apps have, named after their environment variables, with local defaults. */
export class ServiceConfig {
  /**
   * The address the HTTP server listens on: this machine only by default. Another one (0.0.0.0 in
   * a container) requires tokens of your own.
   */
  @Matches(/^[\w.:-]+$/, { message: '$property must be an IP address or a host name' })
  HOST = '127.0.0.1';

  @Matches(/^[^,\s]+(,[^,\s]+)*$/, { message: '$property must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsString()
  @MinLength(16)
  INTERNAL_TOKEN = 'dev-internal-token-change-me';

  @IsString()
  @MinLength(16)
  ADMIN_TOKEN = 'dev-admin-token-change-me';

  /** Nest log levels, comma-separated (error, warn, log, debug, verbose). */
  @Matches(/^(error|warn|log|debug|verbose)(,(error|warn|log|debug|verbose))*$/)
  LOG_LEVELS = 'error,warn,log';

  /**
   * How long the broker waits for a silent consumer (a crashed process) before it hands that
   * consumer's partitions to the others. 6000 is the broker's minimum; lower means faster takeover
   * after a crash, but a process starved of CPU for that long loses its partitions.
   */
  @Type(() => Number)
  @IsInt()
  @Min(6_000)
  @Max(300_000)
  KAFKA_CONSUMER_SESSION_TIMEOUT_MS = 30_000;

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',');
  }

  get logLevels(): LogLevel[] {
    return this.LOG_LEVELS.split(',') as LogLevel[];
  }
}
