import { Type } from 'class-transformer';
import { ServiceConfig } from '@tally/platform';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

/** The gateway's settings (beside the shared ones), named after their variables, with local defaults. */
export class GatewayConfig extends ServiceConfig {
  @Matches(/^postgres(ql)?:\/\//, { message: '$property must be a postgres:// URL' })
  GATEWAY_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/gateway';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  GATEWAY_PORT = 3000;

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
}
