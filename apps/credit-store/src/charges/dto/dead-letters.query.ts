import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { IsInstant } from '@tally/contracts';
import { DEAD_LETTER_STATUSES, type DeadLetterStatus } from '../dead-letter.repository';

export class DeadLettersQuery {
  /** The last id the reader has seen: the page starts after it. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after: number = 0;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;

  /** Only letters with this error code (e.g. validation_failed). */
  @IsOptional()
  @Matches(/^[a-z_]{1,64}$/, {
    message: '$property must be an error code such as validation_failed',
  })
  code?: string;

  /** Only letters in this state. */
  @IsOptional()
  @IsIn(DEAD_LETTER_STATUSES)
  status?: DeadLetterStatus;

  /** Only letters of this original event_id (as the message had it, valid or not). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  event_id?: string;

  /** Dead-lettered at or after (inclusive). */
  @IsOptional() @IsInstant() from?: string;

  /** Dead-lettered before (exclusive). */
  @IsOptional() @IsInstant() to?: string;
}

/** Body of `POST /admin/dead-letters/redrive`. */
export class RedriveManyDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @Matches(/^\d{1,18}$/, { each: true, message: 'each of $property must be a dead letter id' })
  ids!: string[];
}
