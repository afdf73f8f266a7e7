import { IsISO8601, IsOptional } from 'class-validator';

/** `?from=&to=`: ISO-8601 instants, from inclusive, to exclusive. */
export class WindowQuery {
  @IsOptional() @IsISO8601({ strict: true }) from?: string;
  @IsOptional() @IsISO8601({ strict: true }) to?: string;
}
