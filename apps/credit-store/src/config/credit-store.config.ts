import { Type } from 'class-transformer';
import { ServiceConfig } from '@tally/platform';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/** The credit-store's settings (beside the shared ones), named after their variables, with local defaults. */
export class CreditStoreConfig extends ServiceConfig {
  /** The ledger's database. */
  @Matches(/^postgres(ql)?:\/\//, { message: '$property must be a postgres:// URL' })
  CREDIT_STORE_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/credit_store';

  /** HTTP port of the credit-store (0: any free port). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  CREDIT_STORE_PORT = 3001;

  /** Largest JSON body the credit-store accepts. */
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
  CREDIT_STORE_CONSUMER_CONCURRENCY = 6;

  /** Largest batch the consumer takes from one partition at once (one ledger transaction). */
  @Type(() => Number)
  @IsInt()
  @Min(1024)
  @Max(64 * 1024 * 1024)
  CREDIT_STORE_BATCH_MAX_BYTES = 1024 * 1024;

  /**
   * Linger: the broker holds a fetch until it has this many bytes or CREDIT_STORE_BATCH_LINGER_MS
   * have passed. 1 (the default) answers as soon as anything is there: the lowest latency.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  CREDIT_STORE_BATCH_MIN_BYTES = 1;

  /** Longest wait of a fetch for CREDIT_STORE_BATCH_MIN_BYTES. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(30_000)
  CREDIT_STORE_BATCH_LINGER_MS = 500;

  /** How long granted credits last unless their source says otherwise. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(36500)
  GRANT_TTL_DAYS = 180;

  /** Per-source lifetimes, e.g. `purchase=never,reward=30`. */
  @Matches(/^\s*([a-z][a-z0-9_.:-]*\s*=\s*(\d{1,5}|never)\s*(,\s*|$))*$/, {
    message: '$property must look like `purchase=never,reward=30`',
  })
  GRANT_TTL_DAYS_BY_SOURCE = 'purchase=never';

  /** Hold lifetime when the caller names none (30 minutes). */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(86400 * 7)
  HOLD_DEFAULT_TTL_SECONDS = 1800;

  /** How often the grant and hold expiry jobs run (0: never, only by POST /admin/jobs/...). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  JOB_INTERVAL_SECONDS = 60;

  /** How often the whole ledger is reconciled for the metrics (0: only by GET /finance/reconciliation). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  RECONCILIATION_INTERVAL_SECONDS = 3600;

  /**
   * How long after start the first scheduled reconciliation waits (0: at start). It reads the whole
   * ledger and walks every hash chain: not what a replica should do while it starts taking traffic.
   */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  RECONCILIATION_FIRST_DELAY_SECONDS = 300;

  /**
   * How long a refund that arrived on the bus before its charge waits for it (set aside, its
   * partition going on) before it is dead-lettered as refund_of_unknown.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  REFUND_WAIT_SECONDS = 600;

  /** How often waiting refunds are looked at again when no charge came in to wake them. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  REFUND_RETRY_SECONDS = 5;

  /** How often unpublished balance snapshots are looked for when no commit woke the relay. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  BALANCE_RELAY_POLL_MS = 500;

  /**
   * The low-balance threshold of accounts that set none (PUT /accounts/{id}/alerts): a
   * `balance.low` account event goes out when a balance crosses below it. Unset: no alert.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  LOW_BALANCE_THRESHOLD?: number = undefined;

  /**
   * Longest wait for a webhook receiver's answer (connect, send, status line): past it the attempt
   * counts as failed and is retried.
   */
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(300_000)
  WEBHOOK_TIMEOUT_MS = 15_000;

  /**
   * Seconds between a webhook delivery's attempts (fractions allowed): one more attempt per
   * number; after the last the delivery is `failed` (POST /admin/webhook-deliveries/{id}/redeliver
   * sends it again).
   */
  @Matches(/^\s*\d{1,6}(\.\d{1,3})?(\s*,\s*\d{1,6}(\.\d{1,3})?)*\s*$/, {
    message: '$property must be seconds separated by commas, like `5,300,1800`',
  })
  WEBHOOK_RETRY_SCHEDULE = '5,300,1800,7200,18000,36000,36000';

  /** `true`: webhook URLs may be plain `http:` (local receivers); otherwise only `https:`. */
  @IsIn(['true', 'false'])
  WEBHOOK_ALLOW_HTTP = 'false';

  /**
   * Hosts (comma-separated, as written in the URL) that webhooks may reach although they are or
   * resolve to a loopback, private, link-local or metadata address, e.g. `127.0.0.1`.
   */
  @Matches(/^\s*[A-Za-z0-9.:[\]_-]*(\s*,\s*[A-Za-z0-9.:[\]_-]+)*\s*$/, {
    message: '$property must be host names or addresses separated by commas',
  })
  WEBHOOK_ALLOWED_HOSTS = '';

  /** Webhook deliveries one replica sends at once, all endpoints together. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_CONCURRENCY = 64;

  /** Webhook deliveries one replica sends at once to one endpoint: a slow one holds no more. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  WEBHOOK_ENDPOINT_CONCURRENCY = 4;

  /** How often the webhook fan-out and delivery queue are looked at when nothing woke them. */
  @Type(() => Number)
  @IsInt()
  @Min(10)
  WEBHOOK_POLL_MS = 500;

  /**
   * How many days before a grant expires its `grant.expiring` account event goes out (once per
   * grant, if it still holds credits), made by the grant expiry job.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  GRANT_EXPIRING_DAYS = 3;
}
