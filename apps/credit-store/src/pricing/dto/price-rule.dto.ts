import { applyDecorators } from '@nestjs/common';
// Swagger's PartialType: the same validation as mapped-types' one, and the schema follows too.
import { PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import {
  IsModelName,
  IsProviderName,
  IsScene,
  MAX_AMOUNT,
  PRICING_MODES,
  PricingMode,
} from '@tally/contracts';
import { RULE_STATUSES, RuleStatus } from '@tally/pricing';

/**
 * A decimal price from 0 to 999999999.999999, as a JSON string or number, kept as a string. At
 * most 15 significant digits, so a JSON number reads back exactly as it was written.
 */
function IsPrice(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'number' ? String(value) : value,
    ),
    IsOptional(),
    Matches(/^\d{1,9}(\.\d{1,6})?$/, {
      message: '$property must be a decimal from 0 to 999999999.999999 with at most 6 places',
    }),
  );
}

/** Body of `POST /admin/price-rules`. */
export class CreatePriceRuleDto {
  @IsScene() scene!: string;
  @IsProviderName() provider?: string | null;
  @IsModelName() model?: string | null;
  @IsIn(PRICING_MODES) mode!: PricingMode;
  @IsOptional() @IsInt() @Min(-1000) @Max(1000) priority?: number;
  @IsPrice() input_per_million?: string | null;
  @IsPrice() output_per_million?: string | null;
  @IsPrice() cached_per_million?: string | null;
  /** Anthropic's cache creation tokens; priced as input when null. */
  @IsPrice() cache_write_per_million?: string | null;
  /**
   * Anthropic's writes to its 1-hour cache (`cache_control.ttl: "1h"`); when null, twice
   * input_per_million, and never less than cache_write_per_million.
   */
  @IsPrice() cache_write_1h_per_million?: string | null;
  @IsPrice() reasoning_per_million?: string | null;
  @IsPrice() credits_per_call?: string | null;
  @IsPrice() credits_per_second?: string | null;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_AMOUNT) min_credits?: number | null;
  @IsOptional() @IsIn(['active', 'inactive']) status?: Exclude<RuleStatus, 'deleted'>;
}

/** Body of `PATCH /admin/price-rules/{id}`: a new version with these fields changed (null clears). */
export class UpdatePriceRuleDto extends PartialType(CreatePriceRuleDto) {}

/** Query of `GET /admin/price-rules`. */
export class PriceRuleQuery {
  @IsOptional() @IsScene() scene?: string;
  @IsOptional() @IsIn(RULE_STATUSES) status?: RuleStatus;
}
