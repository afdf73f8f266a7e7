import { IsOptional } from 'class-validator';
import { IsDescription } from '@tally/contracts';

/** Body of `POST /grants/{event_id}/void`. */
export class VoidGrantDto {
  @IsOptional() @IsDescription() reason?: string;
}
