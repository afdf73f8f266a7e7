import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';

/** Query of `GET /v1/me/ledger`. */
export class MyLedgerQuery {
  /** Entries per page, newest first. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit: number = 50;

  /** The `next_cursor` of the previous page. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: '$property must be a next_cursor of this endpoint' })
  cursor?: string;
}
