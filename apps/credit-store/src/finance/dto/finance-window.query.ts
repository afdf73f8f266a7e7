import { IsISO8601, IsOptional, Matches } from 'class-validator';

/**
 * A date (midnight UTC), or a date and time in the extended format with its zone: never the
 * server's zone, and only forms that Date parses the same way everywhere.
 */
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const INSTANT_MESSAGE =
  '$property must be YYYY-MM-DD or YYYY-MM-DDThh:mm[:ss[.fff]] with Z or ±hh:mm';

/** `?from=&to=` of the finance reports: from inclusive, to exclusive, on created_at. */
export class FinanceWindowQuery {
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(INSTANT, { message: INSTANT_MESSAGE })
  from?: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(INSTANT, { message: INSTANT_MESSAGE })
  to?: string;
}
