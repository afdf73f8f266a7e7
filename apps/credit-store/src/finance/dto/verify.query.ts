import { IsOptional } from 'class-validator';
import { IsUserId } from '@tally/contracts';

/** `?user_id=` of `GET /finance/verify`: one account's chain only. */
export class VerifyQuery {
  @IsOptional()
  @IsUserId()
  user_id?: string;
}
