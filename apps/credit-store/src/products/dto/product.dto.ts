import { PartialType } from '@nestjs/mapped-types';
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
} from 'class-validator';
import { IsCreditAmount, MAX_AMOUNT } from '@tally/contracts';
import { PRODUCT_STATUSES, ProductStatus } from '../product';

/** Body of `POST /admin/products`. */
export class CreateProductDto {
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: '$property must be 1-64 letters, digits or . _ - (starting with a letter or digit)',
  })
  sku!: string;

  @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @IsCreditAmount(1) credit_amount!: number;
  @IsInt() @Min(0) @Max(MAX_AMOUNT) price_cent!: number;
  @IsOptional() @IsInt() @Min(0) @Max(MAX_AMOUNT) original_price_cent?: number;
  @Matches(/^[A-Z]{3}$/, { message: '$property must be an ISO 4217 code such as USD' })
  currency!: string;
  @IsOptional() @IsString() @MaxLength(40) badge?: string;
  @IsOptional() @IsIn(PRODUCT_STATUSES) status?: ProductStatus;
  @IsOptional() @IsInt() @Min(-1_000_000) @Max(1_000_000) sort_order?: number;
}

/** Body of `PATCH /admin/products/{id}`: any of the fields. */
export class UpdateProductDto extends PartialType(CreateProductDto) {}
