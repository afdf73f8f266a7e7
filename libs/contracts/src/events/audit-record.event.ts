import { Type } from 'class-transformer';
import {
  Equals,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsInstant } from '../time/instant';

export const AUDIT_RECORD_SCHEMA_VERSION = 1;

/** The roles an audit record's actor may have (the principals' roles). */
export const AUDIT_ACTOR_ROLES = ['admin', 'finance', 'support', 'service'] as const;
export const AUDIT_OUTCOMES = ['ok', 'denied', 'error'] as const;

export class AuditActor {
  @IsString() @Length(1, 200) id!: string;
  @IsString() @Length(1, 200) name!: string;
  @IsIn(AUDIT_ACTOR_ROLES) role!: (typeof AUDIT_ACTOR_ROLES)[number];
}

export class AuditTarget {
  @IsString() @Length(1, 100) type!: string;
  @IsOptional() @IsString() @Length(0, 1000) id!: string | null;
}

/**
 * One of the gateway's audit records on `audit.records`, keyed by its id: the credit-store keeps
 * each once by id in the one trail of both apps. `before` and `after` are any JSON (checked for
 * what PostgreSQL cannot store, as every message is).
 */
export class AuditRecordMessage {
  @IsOptional() @Equals(AUDIT_RECORD_SCHEMA_VERSION) schema_version?: number;
  @IsString() @Length(1, 64) id!: string;
  @IsInstant() at!: string;
  @IsIn(['ai-gateway']) app!: 'ai-gateway';
  @ValidateNested() @Type(() => AuditActor) actor!: AuditActor;
  @IsString() @Length(1, 200) action!: string;
  @ValidateNested() @Type(() => AuditTarget) target!: AuditTarget;
  @IsOptional() @IsString() @Length(1, 200) request_id!: string | null;
  @IsIn(AUDIT_OUTCOMES) outcome!: (typeof AUDIT_OUTCOMES)[number];
  @IsInt() @Min(100) @Max(599) status!: number;
  @IsOptional() before!: unknown;
  @IsOptional() after!: unknown;
}
