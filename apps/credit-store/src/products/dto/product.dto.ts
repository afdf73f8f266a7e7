import { applyDecorators } from '@nestjs/common';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IsCreditAmount, MAX_AMOUNT } from '@tally/contracts';
import { PRODUCT_STATUSES, ProductStatus } from '../product';

const IsSku = () =>
  Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: '$property must be 1-64 letters, digits or . _ - (starting with a letter or digit)',
  });
const IsName = () => applyDecorators(IsString(), MinLength(1), MaxLength(200));
const IsCents = () => applyDecorators(IsInt(), Min(0), Max(MAX_AMOUNT));
const IsCurrency = () =>
  Matches(/^[A-Z]{3}$/, { message: '$property must be an ISO 4217 code such as USD' });
const IsBadge = () => applyDecorators(IsOptional(), IsString(), MaxLength(40));
const IsSortOrder = () => applyDecorators(IsInt(), Min(-1_000_000), Max(1_000_000));

/** Left out: unchanged (PATCH) or the default (POST); null is refused (the column needs a value). */
const IfGiven = () => ValidateIf((_: object, value: unknown) => value !== undefined);

/** Body of `POST /admin/products`. */
export class CreateProductDto {
  @IsSku() sku!: string;
  @IsName() name!: string;
  @IsCreditAmount(1) credit_amount!: number;
  @IsCents() price_cent!: number;
  @IsOptional() @IsCents() original_price_cent?: number | null;
  @IsCurrency() currency!: string;
  @IsBadge() badge?: string | null;
  @IfGiven() @IsIn(PRODUCT_STATUSES) status?: ProductStatus;
  @IfGiven() @IsSortOrder() sort_order?: number;
}

/** Body of `PATCH /admin/products/{id}`: the fields given change; null clears the optional ones. */
export class UpdateProductDto {
  @IfGiven() @IsSku() sku?: string;
  @IfGiven() @IsName() name?: string;
  @IfGiven() @IsCreditAmount(1) credit_amount?: number;
  @IfGiven() @IsCents() price_cent?: number;
  @IsOptional() @IsCents() original_price_cent?: number | null;
  @IfGiven() @IsCurrency() currency?: string;
  @IsBadge() badge?: string | null;
  @IfGiven() @IsIn(PRODUCT_STATUSES) status?: ProductStatus;
  @IfGiven() @IsSortOrder() sort_order?: number;
}
