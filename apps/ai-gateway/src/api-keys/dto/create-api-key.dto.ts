import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsUserId } from '@tally/contracts';
import { ApiKeyLimitsDto } from './api-key-limits.dto';

/** Body of `POST /admin/api-keys`: whose key, a label, and its limits (all optional). */
export class CreateApiKeyDto extends ApiKeyLimitsDto {
  @IsUserId() user_id!: string;
  /** A label for people ("ci", "laptop"). */
  @IsOptional() @IsString() @MaxLength(128) name?: string;
}

/** Body of `PATCH /admin/api-keys/{id}`: the limits to change (`null` removes one). */
export class UpdateApiKeyDto extends ApiKeyLimitsDto {}

/** Query of `GET /admin/api-keys`. */
export class ApiKeyQuery {
  @IsOptional() @IsUserId() user_id?: string;
}
