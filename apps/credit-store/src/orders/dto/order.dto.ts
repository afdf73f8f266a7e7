import { IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsDescription, IsUserId } from '@tally/contracts';

/** Body of `POST /orders`. */
export class CreateOrderDto {
  @IsUserId() user_id!: string;
  @IsInt() @Min(1) @Max(Number.MAX_SAFE_INTEGER) product_id!: number;
  @IsInt() @Min(1) @Max(1000) quantity!: number;
}

/** Body of `POST /orders/{id}/paid` (the payment provider's callback). */
export class OrderPaidDto {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128) payment_ref?: string;
}

/** Body of `POST /orders/{id}/refund` (the payment was refunded or charged back). */
export class OrderRefundDto {
  @IsOptional() @IsString() @MinLength(1) @MaxLength(128) payment_ref?: string;
  @IsOptional() @IsDescription() reason?: string;
}
