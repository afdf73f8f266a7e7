import { PartialType } from '@nestjs/mapped-types';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { ChargeUsage, MAX_AMOUNT, PRICING_MODES, PricingMode } from '@tally/contracts';
import type { RuleStatus } from '../price-rule';

const SCENE = /^[a-z][a-z0-9_.-]{0,63}$/;

/** A decimal price ≥ 0 with at most 6 places, as a JSON number or string; kept as a string. */
function IsPrice(): PropertyDecorator {
  return (target, key) => {
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'number' ? String(value) : value,
    )(target, key);
    IsOptional()(target, key);
    Matches(/^\d{1,12}(\.\d{1,6})?$/, {
      message: '$property must be a decimal ≥ 0 with at most 6 places',
    })(target, key);
  };
}

/** Body of `POST /admin/price-rules`. */
export class CreatePriceRuleDto {
  @Matches(SCENE, { message: '$property must be a lowercase identifier such as chat or tts' })
  scene!: string;
  @IsOptional() @IsString() @MaxLength(128) provider?: string;
  @IsOptional() @IsString() @MaxLength(128) model?: string;
  @IsIn(PRICING_MODES) mode!: PricingMode;
  @IsOptional() @IsInt() @Min(-1000) @Max(1000) priority?: number;
  @IsPrice() input_per_million?: string;
  @IsPrice() output_per_million?: string;
  @IsPrice() cached_per_million?: string;
  @IsPrice() reasoning_per_million?: string;
  @IsPrice() credits_per_call?: string;
  @IsPrice() credits_per_second?: string;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_AMOUNT) min_credits?: number;
  @IsOptional() @IsIn(['active', 'inactive']) status?: Exclude<RuleStatus, 'deleted'>;
}

/** Body of `PATCH /admin/price-rules/{id}`: a new version with these fields changed. */
export class UpdatePriceRuleDto extends PartialType(CreatePriceRuleDto) {}

/** Body of `POST /quotes`. */
export class QuoteDto {
  @Matches(SCENE, { message: '$property must be a lowercase identifier such as chat or tts' })
  scene!: string;
  @IsOptional() @IsString() @MaxLength(128) provider?: string;
  @IsOptional() @IsString() @MaxLength(128) model?: string;
  @IsObject() @ValidateNested() @Type(() => ChargeUsage) usage!: ChargeUsage;
}
