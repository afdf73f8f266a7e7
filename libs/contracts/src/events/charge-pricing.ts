import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsStorableText } from '../validation/storable-text';

export const PRICING_MODES = ['tokens', 'fixed', 'duration', 'free'] as const;
export type PricingMode = (typeof PRICING_MODES)[number];

/**
 * What was consumed; kept with the charge so it can be re-priced and audited later. input_tokens
 * include cached_tokens (cache reads) and cache_write_tokens; output_tokens include reasoning_tokens.
 */
export class ChargeUsage {
  @IsOptional() @IsInt() @Min(0) input_tokens?: number;
  @IsOptional() @IsInt() @Min(0) output_tokens?: number;
  @IsOptional() @IsInt() @Min(0) cached_tokens?: number;
  @IsOptional() @IsInt() @Min(0) cache_write_tokens?: number;
  /** Of cache_write_tokens, those written to Anthropic's 1-hour cache (a dearer write). */
  @IsOptional() @IsInt() @Min(0) cache_write_1h_tokens?: number;
  @IsOptional() @IsInt() @Min(0) reasoning_tokens?: number;
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) seconds?: number;
}

/** How the amount was derived: the rule, the model and the usage it was applied to. */
export class ChargePricing {
  @IsOptional() @IsString() @MaxLength(64) @IsStorableText() rule_id?: string;
  /** The version of the rule the amount was computed with (rules are versioned, never edited). */
  @IsOptional() @IsInt() @Min(1) rule_version?: number;
  @IsOptional() @IsString() @MaxLength(128) @IsStorableText() model?: string;
  @IsOptional() @IsString() @MaxLength(64) @IsStorableText() provider?: string;
  @IsIn(PRICING_MODES) mode!: PricingMode;

  @IsObject()
  @ValidateNested()
  @Type(() => ChargeUsage)
  usage!: ChargeUsage;
}
