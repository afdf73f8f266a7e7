import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { ACCOUNT_EVENT_TYPES } from '@tally/contracts';
import { ALL_EVENTS } from '../webhook-endpoint';

/** What an endpoint may subscribe to: the account event types of the contract, or `*` alone. */
export const SUBSCRIBABLE = [ALL_EVENTS, ...ACCOUNT_EVENT_TYPES] as const;

/** Body of `POST /admin/webhook-endpoints`. */
export class CreateWebhookEndpointDto {
  /** https: (http: only with WEBHOOK_ALLOW_HTTP=true); not a private address. */
  @IsString() @MaxLength(2048) url!: string;
  /** Account event types, or `["*"]` for all of them. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @ArrayUnique()
  @IsIn(SUBSCRIBABLE, { each: true })
  events!: string[];
  @IsOptional() @IsString() @MaxLength(500) description?: string;
}

/** Body of `PATCH /admin/webhook-endpoints/{id}`. */
export class UpdateWebhookEndpointDto {
  @IsOptional() @IsString() @MaxLength(2048) url?: string;
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(64)
  @ArrayUnique()
  @IsIn(SUBSCRIBABLE, { each: true })
  events?: string[];
  @IsOptional() @IsBoolean() enabled?: boolean;
}

/** Query of `GET /admin/webhook-endpoints/{id}/deliveries`: newest first. */
export class WebhookDeliveriesQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  /** The next_cursor of the page before. */
  @IsOptional() @Matches(/^\d{1,18}$/) cursor?: string;
}
