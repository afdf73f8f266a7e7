import { Injectable, PipeTransform } from '@nestjs/common';
import { ErrorCode, isUserId } from '@tally/contracts';
import { DomainError } from '../errors/domain.error';

/** Validates a `:user_id` path segment with the same rule as bodies and bus messages. */
@Injectable()
export class UserIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isUserId(value)) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `user_id "${value.slice(0, 140)}" is not a valid user id`,
      );
    }
    return value;
  }
}
