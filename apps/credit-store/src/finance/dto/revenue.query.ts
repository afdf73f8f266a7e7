import { IsOptional, Matches } from 'class-validator';

const IsDay = () =>
  Matches(/^\d{4}-\d{2}-\d{2}$/, { message: '$property must be a UTC day as YYYY-MM-DD' });

/** `?from=&to=&currency=` of the revenue rollforward: UTC days, both inclusive. */
export class RevenueQuery {
  /** First day; default: 29 days before `to`. */
  @IsOptional() @IsDay() from?: string;
  /** Last day; default: today (UTC). */
  @IsOptional() @IsDay() to?: string;
  /** One currency (ISO 4217); default: every currency with revenue. */
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: '$property must be an ISO 4217 code such as USD' })
  currency?: string;
}
