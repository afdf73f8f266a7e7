import { IsOptional, IsString, MaxLength } from 'class-validator';
import { IsUserId } from '@tally/contracts';

/** Body of `POST /admin/api-keys`. */
export class CreateApiKeyDto {
  @IsUserId() user_id!: string;
  /** A label for people ("ci", "laptop"). */
  @IsOptional() @IsString() @MaxLength(128) name?: string;
}

/** Query of `GET /admin/api-keys`. */
export class ApiKeyQuery {
  @IsOptional() @IsUserId() user_id?: string;
}
