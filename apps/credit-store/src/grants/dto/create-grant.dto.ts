import { IsIn, IsOptional } from 'class-validator';
import {
  INCOME_SOURCES,
  IncomeSource,
  IsCreditAmount,
  IsDescription,
  IsEventId,
  IsInstant,
} from '@tally/contracts';

/** Body of `POST /accounts/{user_id}/grants`: credits given by hand or by a purchase flow. */
export class CreateGrantDto {
  @IsEventId() event_id!: string;
  @IsCreditAmount(1) amount!: number;
  @IsIn(INCOME_SOURCES) source!: IncomeSource;
  /** When the credits expire (must be in the future); null: never; absent: the source's policy. */
  @IsOptional() @IsInstant() expires_at?: string | null;
  @IsOptional() @IsDescription() description?: string;
}
