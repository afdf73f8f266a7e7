import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsUserId } from '@tally/contracts';

/** Body of `POST /orders`. */
export class CreateOrderDto {
  @IsUserId() user_id!: string;
  @IsInt() @Min(1) product_id!: number;
  @IsInt() @Min(1) @Max(1000) quantity!: number;
}

/** Body of `POST /orders/{id}/paid` (the payment provider's callback). */
export class OrderPaidDto {
  @IsOptional() @IsString() @MaxLength(128) payment_ref?: string;
}
