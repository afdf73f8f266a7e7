import { IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { MAX_AMOUNT } from '@tally/contracts';
import { ROLES, type Role } from '@tally/platform';

/** Body of `POST /admin/principals`. */
export class CreatePrincipalDto {
  @IsString() @Length(1, 200) name!: string;
  @IsIn(ROLES) role!: Role;
  /** Support only: credits per UTC day its grants, voids and refunds may move together. */
  @IsOptional() @IsInt() @Min(0) @Max(MAX_AMOUNT) daily_limit?: number;
}

/** Body of `POST /admin/principals/{id}/rotate`. */
export class RotatePrincipalDto {
  /** How long the old token keeps working (default 86,400; 0: refused at once; at most 30 days). */
  @IsOptional() @IsInt() @Min(0) @Max(2_592_000) old_token_valid_seconds?: number;
}

/** Body of `POST /principals/resolve`: the gateway's lookup of a token it was shown. */
export class ResolvePrincipalDto {
  /** SHA-256 of the token, hex. */
  @Matches(/^[0-9a-f]{64}$/) token_sha256!: string;
}
