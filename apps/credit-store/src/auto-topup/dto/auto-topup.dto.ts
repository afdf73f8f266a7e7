import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { MAX_AMOUNT } from '@tally/contracts';

/** Body of `PUT /accounts/{user_id}/auto-topup`; `threshold: null` turns auto top-up off. */
export class AutoTopupDto {
  /** When the balance crosses below this many credits, an order for the product is made. */
  @ValidateIf((body: AutoTopupDto) => body.threshold !== null)
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT)
  threshold!: number | null;

  /** The product (active) each auto top-up buys, once. */
  @ValidateIf((body: AutoTopupDto) => body.threshold !== null)
  @IsInt()
  @Min(1)
  product_id?: number | null;

  /** Paid auto top-ups allowed in a UTC month; past them, no order (auto_topup.limit_reached). */
  @ValidateIf((body: AutoTopupDto) => body.threshold !== null)
  @IsInt()
  @Min(1)
  @Max(1000)
  max_per_month?: number | null;
}
