import { Type } from 'class-transformer';
import { IsObject, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import {
  ChargeFields,
  ChargeUsage,
  IsCreditAmount,
  IsEventId,
  IsModelName,
  IsProviderName,
  IsScene,
  PlainValidator,
} from '@tally/contracts';

/**
 * Body of `POST /internal/charges`: a post-paid charge with either an explicit `amount`, or a
 * `model` (and optionally `provider` and `scene`, which defaults to the source) with the `usage`
 * to price with the credit-store's rules.
 */
export class CreateChargeDto extends ChargeFields {
  @IsEventId() event_id!: string;
  @IsOptional() @IsCreditAmount(1) amount?: number;

  @IsOptional() @IsScene() scene?: string;
  @IsProviderName() provider?: string;
  @IsModelName() model?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ChargeUsage)
  usage?: ChargeUsage;

  /**
   * The API key the work was done for: the charge counts in that key's budget (it is not refused
   * by it: services are trusted) and the ledger records it as `metadata.api_key_id`.
   */
  @IsOptional() @IsUUID() api_key_id?: string;

  /** The validation pipe's fast path (see PlainlyValidatable): these same rules, as plain checks. */
  static fromPlainlyValid(body: unknown): CreateChargeDto | undefined {
    return fastPath.instance(body);
  }
}

const fastPath = new PlainValidator(CreateChargeDto);
