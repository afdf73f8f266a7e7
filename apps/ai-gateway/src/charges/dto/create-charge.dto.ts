import { Type } from 'class-transformer';
import { IsObject, IsOptional, ValidateNested } from 'class-validator';
import {
  ChargeFields,
  ChargeUsage,
  IsCreditAmount,
  IsEventId,
  IsRuleName,
  IsScene,
} from '@tally/contracts';
import { isPlainlyValidCreateCharge } from './plainly-valid-create-charge';

/**
 * Body of `POST /internal/charges`: a post-paid charge with either an explicit `amount`, or a
 * `model` (and optionally `provider` and `scene`, which defaults to the source) with the `usage`
 * to price with the credit-store's rules.
 */
export class CreateChargeDto extends ChargeFields {
  @IsEventId() event_id!: string;
  @IsOptional() @IsCreditAmount(1) amount?: number;

  @IsOptional() @IsScene() scene?: string;
  @IsRuleName() provider?: string;
  @IsRuleName() model?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => ChargeUsage)
  usage?: ChargeUsage;

  /** The validation pipe's fast path (see PlainlyValidatable). */
  static fromPlainlyValid(body: unknown): CreateChargeDto | undefined {
    if (!isPlainlyValidCreateCharge(body)) return undefined;
    const plain = body as CreateChargeDto;
    const dto = Object.assign(new CreateChargeDto(), plain);
    if (plain.usage) dto.usage = Object.assign(new ChargeUsage(), plain.usage);
    return dto;
  }
}
