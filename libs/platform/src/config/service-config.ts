import type { LogLevel } from '@nestjs/common';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import type { HttpLimits } from '../http/connection-limits';

/** Node cuts a request off at whichever of its two timeouts comes first. */
@ValidatorConstraint({ name: 'notLongerThanRequestTimeout' })
class NotLongerThanRequestTimeout implements ValidatorConstraintInterface {
  validate(value: number, args: ValidationArguments): boolean {
    return value <= (args.object as ServiceConfig).HTTP_REQUEST_TIMEOUT_MS;
  }

  defaultMessage(): string {
    return '$property must not be longer than HTTP_REQUEST_TIMEOUT_MS';
  }
}

/** Settings both apps have, named after their environment variables, with local defaults. */
export class ServiceConfig {
  /**
   * The address the HTTP server listens on: this machine only by default. Another one (0.0.0.0 in
   * a container) requires tokens of your own.
   */
  @Matches(/^[\w.:-]+$/, { message: '$property must be an IP address or a host name' })
  HOST = '127.0.0.1';

  /** The Kafka bootstrap brokers, comma-separated. */
  @Matches(/^[^,\s]+(,[^,\s]+)*$/, { message: '$property must be host:port[,host:port...]' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  /** Bearer token of the internal services (the `service` role); the gateway calls the credit-store with it. */
  @IsString()
  @MinLength(16)
  INTERNAL_TOKEN = 'dev-internal-token-change-me';

  /** Bearer token of the bootstrap admin (every admin and finance endpoint). */
  @IsString()
  @MinLength(16)
  ADMIN_TOKEN = 'dev-admin-token-change-me';

  /** `production` refuses to start with the tokens unset or left at their public defaults. */
  @IsOptional()
  @IsString()
  NODE_ENV?: string = undefined;

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

  /** Longest wait for a request's headers; a client that sends none by then is cut off. */
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(300_000)
  @Validate(NotLongerThanRequestTimeout)
  HTTP_HEADERS_TIMEOUT_MS = 10_000;

  /** Longest wait for a whole request, body included: a slow body is cut off with a 408. */
  @Type(() => Number)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  HTTP_REQUEST_TIMEOUT_MS = 60_000;

  /** Open connections one client address may hold; past it new ones are closed at once. 0: any. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  HTTP_MAX_CONNECTIONS_PER_ADDRESS = 256;

  /**
   * Bytes of request bodies read and parsed at once (a parsed JSON body can take twenty times its
   * size in heap); past it a body is refused with 503 and Retry-After before it is read.
   */
  @Matches(/^\d+(b|kb|mb)$/)
  HTTP_BODY_BYTES_IN_FLIGHT = '8mb';

  /** The same, for the bodies of one client address (429 and Retry-After past it). */
  @Matches(/^\d+(b|kb|mb)$/)
  HTTP_BODY_BYTES_PER_ADDRESS = '4mb';

  /**
   * Most objects and arrays one JSON body may open (413 past it, before it is parsed): an empty
   * object is 3 bytes of text and some 60 of heap, where other values take about seven times their
   * text at most.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(10_000_000)
  HTTP_BODY_MAX_CONTAINERS = 20_000;

  /**
   * Longest wait for a PostgreSQL connection, whether a new one (a host that does not answer) or a
   * free one from the pool (every one busy); past it the request answers 503.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(120_000)
  DATABASE_CONNECT_TIMEOUT_MS = 5_000;

  /**
   * Longest wait for the answer to one SQL statement. Past it the request answers 503 and the
   * connection is closed, not reused: on a link that went silent the statement may never be
   * answered, and the next one would wait behind it. Raise it for slow reports on large ledgers.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  DATABASE_QUERY_TIMEOUT_MS = 15_000;

  get httpLimits(): HttpLimits {
    return {
      headersTimeoutMs: this.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: this.HTTP_REQUEST_TIMEOUT_MS,
      maxConnectionsPerAddress: this.HTTP_MAX_CONNECTIONS_PER_ADDRESS,
      bodyBytesInFlight: this.HTTP_BODY_BYTES_IN_FLIGHT,
      bodyBytesPerAddress: this.HTTP_BODY_BYTES_PER_ADDRESS,
      bodyMaxContainers: this.HTTP_BODY_MAX_CONTAINERS,
    };
  }

  get kafkaBrokers(): string[] {
    return this.KAFKA_BROKERS.split(',');
  }

  get logLevels(): LogLevel[] {
    return this.LOG_LEVELS.split(',') as LogLevel[];
  }
}
