import { IsInt, Max, Min, ValidateIf } from 'class-validator';
import { MAX_AMOUNT } from '@tally/contracts';

/** Body of `PUT /accounts/{user_id}/alerts`. */
export class AccountAlertsDto {
  /**
   * `balance.low` goes out when the balance crosses below this many credits; null: never for this
   * account (whatever LOW_BALANCE_THRESHOLD says).
   */
  @ValidateIf((body: AccountAlertsDto) => body.low_balance !== null)
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT)
  low_balance!: number | null;
}
