import { Type } from 'class-transformer';
import { ServiceConfig } from '@tally/platform';
import { IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/** The credit-store's settings (beside the shared ones), named after their variables, with local defaults. */
export class CreditStoreConfig extends ServiceConfig {
  @Matches(/^postgres(ql)?:\/\//, { message: '$property must be a postgres:// URL' })
  CREDIT_STORE_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/credit_store';

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(65535)
  CREDIT_STORE_PORT = 3001;

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
}
