import { ChargeFields, IsCreditAmount, IsEventId } from '@tally/contracts';

/** Body of `POST /internal/charges`: a post-paid charge with an explicit amount. */
export class CreateChargeDto extends ChargeFields {
  @IsEventId() event_id!: string;
  @IsCreditAmount(1) amount!: number;
}
