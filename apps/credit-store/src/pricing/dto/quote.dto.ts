import { Type } from 'class-transformer';
import { IsObject, IsOptional, ValidateNested } from 'class-validator';
import { ChargeUsage, IsModelName, IsProviderName, IsScene } from '@tally/contracts';

/** Body of `POST /quotes`: what was (or will be) used, and where. */
export class QuoteDto {
  @IsScene() scene!: string;
  @IsProviderName() provider?: string;
  @IsModelName() model?: string;
  @IsObject() @ValidateNested() @Type(() => ChargeUsage) usage!: ChargeUsage;
}

/** Query of `GET /price-rules/models`. */
export class ModelsQuery {
  @IsOptional() @IsScene() scene?: string;
}
