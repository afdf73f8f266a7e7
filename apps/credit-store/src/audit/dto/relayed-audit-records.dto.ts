import { Type } from 'class-transformer';
import {
  Allow,
  ArrayMaxSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  ValidateNested,
} from 'class-validator';
import { IsInstant } from '@tally/contracts';
import { ROLES, type Role } from '@tally/platform';

class RelayedActorDto {
  @IsString() @Length(1, 200) id!: string;
  @IsString() @Length(1, 200) name!: string;
  @IsIn(ROLES) role!: Role;
}

class RelayedTargetDto {
  @IsString() @Length(1, 100) type!: string;
  @IsOptional() @IsString() @Length(0, 1000) id!: string | null;
}

export class RelayedAuditRecordDto {
  @IsString() @Length(1, 64) id!: string;
  @IsInstant() at!: string;
  @IsIn(['ai-gateway']) app!: string;
  @ValidateNested() @Type(() => RelayedActorDto) actor!: RelayedActorDto;
  @IsString() @Length(1, 200) action!: string;
  @ValidateNested() @Type(() => RelayedTargetDto) target!: RelayedTargetDto;
  @IsOptional() @IsString() @Length(1, 200) request_id!: string | null;
  @IsIn(['ok', 'denied', 'error']) outcome!: 'ok' | 'denied' | 'error';
  @IsInt() status!: number;
  @Allow() before!: unknown;
  @Allow() after!: unknown;
}

/** Body of `POST /audit/records`: the gateway's records, relayed. */
export class RelayedAuditRecordsDto {
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => RelayedAuditRecordDto)
  records!: RelayedAuditRecordDto[];
}
