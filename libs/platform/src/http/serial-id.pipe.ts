import { Injectable, PipeTransform } from '@nestjs/common';
import { ErrorCode } from '@tally/contracts';
import { DomainError } from '../errors/domain.error';

/**
 * An `:id` path segment naming a bigserial row: a positive integer the column can hold, so that
 * `99999999999999999999` is a 400 rather than a database overflow (500). The global
 * ValidationPipe may already have made a number of it.
 */
@Injectable()
export class SerialIdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown): number {
    const text = String(value);
    const id = /^[1-9]\d{0,15}$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(id)) {
      throw new DomainError(
        ErrorCode.ValidationFailed,
        `id "${text.slice(0, 40)}" must be a positive integer`,
        ['id: must be a positive integer'],
      );
    }
    return id;
  }
}
