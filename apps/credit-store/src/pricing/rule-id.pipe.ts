import { Injectable, PipeTransform } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '@tally/platform';

/**
 * An `:id` path segment: a positive integer a bigint column can hold (a 400, not a 500). The
 * global ValidationPipe may already have made a number of it.
 */
@Injectable()
export class RuleIdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown): number {
    const text = String(value);
    const id = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(id)) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `id "${text.slice(0, 40)}" must be a positive integer`,
      );
    }
    return id;
  }
}
