import { Type } from 'class-transformer';
import { ServiceConfig } from '@tally/platform';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { parseModelFallbacks } from '../upstreams/model-fallbacks';
import { parseUpstreams, UpstreamSettings } from '../upstreams/upstream-routes';

/** What parsing a setting throws, or undefined when it parses. */
function problemOf(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** UPSTREAMS parses: a bad entry stops the app at start-up, naming the entry and the field. */
@ValidatorConstraint({ name: 'validUpstreams' })
class ValidUpstreams implements ValidatorConstraintInterface {
  validate(_value: unknown, args: ValidationArguments): boolean {
    return problemOf(() => parseUpstreams(args.object as UpstreamSettings)) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    const problem = problemOf(() => parseUpstreams(args.object as UpstreamSettings));
    if (problem) return problem;
    return '$property must be a JSON list of deployments (docs/routing.md)';
  }
}

/** MODEL_FALLBACKS parses: a JSON object of model names to lists of model names. */
@ValidatorConstraint({ name: 'validModelFallbacks' })
class ValidModelFallbacks implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return problemOf(() => parseModelFallbacks(value as string)) === undefined;
  }

  defaultMessage(args: ValidationArguments): string {
    const problem = problemOf(() => parseModelFallbacks(args.value as string));
    if (problem) return problem;
    return '$property must be a JSON object of model names to lists of model names';
  }
}

/** The gateway's settings (beside the shared ones), named after their variables, with local defaults. */
export class GatewayConfig extends ServiceConfig {
  /** The gateway's own database (API keys, charges, the outbox). */
  @Matches(/^postgres(ql)?:\/\//, { message: '$property must be a postgres:// URL' })
  GATEWAY_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/gateway';

  /** HTTP port of the gateway (0: any free port). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  GATEWAY_PORT = 3000;

  /** The credit-store's HTTP API (price rules, holds, refunds), called with INTERNAL_TOKEN. */
  @Matches(/^https?:\/\/\S+$/, { message: '$property must be an http(s):// URL' })
  CREDIT_STORE_URL = 'http://127.0.0.1:3001';

  /** How long a refund waits for its charge to reach the ledger before answering 503. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(600_000)
  REFUND_CHARGE_WAIT_MS = 10_000;

  /** The default upstream (OpenAI's convention: the URL ends in /v1): serves every model no UPSTREAMS entry lists. */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: '$property must be an http(s):// URL' })
  UPSTREAM_BASE_URL?: string = undefined;

  /** API key of the default upstream. */
  @IsOptional()
  @IsString()
  UPSTREAM_API_KEY?: string = undefined;

  /** The provider name of the default upstream, as price rules name it. */
  @Matches(/^[a-z0-9][a-z0-9._-]{0,63}$/)
  UPSTREAM_PROVIDER = 'openai';

  /**
   * The deployments, as JSON: `[{"id":"claude-east","provider":"anthropic","api":"anthropic",
   * "base_url":"https://…/v1","api_key":"…","models":["claude-*"],"priority":0,"weight":1,
   * "timeout_ms":20000,"rpm":500,"tpm":400000}]`. Several may serve one model: lower `priority`
   * first, `weight` shares the calls among equal priorities, `timeout_ms` bounds the wait for the
   * answer to begin (UPSTREAM_TIMEOUT_MS when not set), `rpm`/`tpm` are the provider's own limits.
   * The default upstream (UPSTREAM_BASE_URL) serves only the models none of them lists.
   */
  @IsOptional()
  @IsString()
  @Validate(ValidUpstreams)
  UPSTREAMS?: string = undefined;

  /** Longest wait for the upstream's answer to begin, and between two chunks of a stream. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(600_000)
  UPSTREAM_TIMEOUT_MS = 60_000;

  /**
   * Most tries of one call across deployments and fallback models (a connection error, a timeout
   * before the answer begins, a 429 or a 5xx moves it on, while nothing was sent to the client).
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10)
  UPSTREAM_MAX_ATTEMPTS = 3;

  /**
   * Longest `Retry-After` waited for before the same deployment is tried again; a longer one
   * leaves that deployment out of the call.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(60_000)
  UPSTREAM_RETRY_AFTER_MAX_MS = 10_000;

  /** Failures of a deployment within 60 s that put it in cooldown. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  UPSTREAM_COOLDOWN_FAILURES = 3;

  /** How long a deployment in cooldown is skipped; then one call tries it again. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3600)
  UPSTREAM_COOLDOWN_SECONDS = 30;

  /**
   * Models to try when every deployment of the asked model failed, as JSON:
   * `{"gpt-4o":["gpt-4o-mini","claude-sonnet-4"]}`. The reservation covers the dearest model of
   * the chain; the charge is priced by the one that served.
   */
  @IsOptional()
  @IsString()
  @Validate(ValidModelFallbacks)
  MODEL_FALLBACKS?: string = undefined;

  /** How often the price rules are read again from the credit-store. */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  PRICE_RULES_REFRESH_MS = 10_000;

  /**
   * The most output per choice given to (and reserved for) a call that sets no limit: it gets as
   * much of it as the user and the key can afford (`x-tally-max-output-tokens` says how much).
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  GUARD_DEFAULT_MAX_TOKENS = 4096;

  /**
   * The least output per choice a call without a limit is sent with: a user who cannot afford
   * that much is refused with 402 (GUARD_DEFAULT_MAX_TOKENS when that is lower).
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  GUARD_MIN_OUTPUT_TOKENS = 256;

  /** Output tokens reserved at a time for a stream whose upstream goes past its limit. */
  @Type(() => Number)
  @IsInt()
  @Min(16)
  @Max(1_000_000)
  STREAM_SLICE_TOKENS = 512;

  /** A reservation not renewed by then (its call's gateway died) no longer counts. */
  @Type(() => Number)
  @IsInt()
  @Min(1000)
  @Max(86_400_000)
  RESERVATION_TTL_MS = 600_000;

  /** Consumer group of the balance view (one per gateway deployment, shared by its replicas). */
  @Matches(/^[A-Za-z0-9._-]{1,200}$/)
  GATEWAY_BALANCE_GROUP = 'ai-gateway-balance-view';

  /** Largest JSON body accepted on the client surface, /v1 (chat prompts included). */
  @Matches(/^\d+(b|kb|mb)$/)
  GATEWAY_BODY_LIMIT = '2mb';

  /** Largest JSON body accepted elsewhere (the admin and internal endpoints). */
  @Matches(/^\d+(b|kb|mb)$/)
  GATEWAY_SERVICE_BODY_LIMIT = '256kb';

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

  /**
   * Key buckets (of 16) one relay cycle takes; the rest stay for other replicas' relays. Each
   * bucket's rows go out in order, so a bucket is never in two relays' hands at once.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(16)
  OUTBOX_BUCKETS_PER_CYCLE = 8;

  /**
   * How long a relay cycle waits for Kafka's acknowledgement before it lets go of its buckets (it
   * holds their locks and a transaction meanwhile). A send that outlives it may still land: the
   * relay then sends nothing new until that send has settled, so a slow broker is not flooded with
   * copies.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(120_000)
  OUTBOX_PUBLISH_TIMEOUT_MS = 5000;

  /**
   * Published outbox rows are deleted once this old (the charges table keeps the record of every
   * charge; the outbox only carries it to Kafka). Unpublished rows are never deleted.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 365 * 10)
  OUTBOX_RETENTION_HOURS = 168;

  /** Relay cycles one replica runs at once (each on its own buckets). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(8)
  OUTBOX_RELAY_CONCURRENCY = 2;

  /** Most charges recorded in one transaction (group commit, see ChargesService). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  CHARGE_GROUP_MAX = 200;

  /** Charge transactions in flight at once per replica; charges arriving meanwhile wait and share the next. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(64)
  CHARGE_GROUP_WRITERS = 2;

  /** Set to 0 on replicas that should not relay (at least one replica must). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1)
  OUTBOX_RELAY_ENABLED = 1;

  /**
   * How long a replica trusts an API key (and its limits) it has read. Changes reach every
   * replica at once by LISTEN/NOTIFY; this bounds staleness should a notification be missed. 0:
   * read the key on every request.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(300_000)
  API_KEY_CACHE_TTL_MS = 10_000;
}
